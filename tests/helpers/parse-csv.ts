import { parse } from "csv-parse/sync";
import { isDeepStrictEqual } from "node:util";

/*
 * The test oracle for CSV exports, on csv-parse rather than a parser of our own (an oracle should
 * not share its authors' assumptions). An empty unquoted field is null (COPY's NULL) and `""` is
 * the empty string. `lineEndsOk` says whether every record ended with CRLF: the file reads the same
 * when only CRLF may end a record as when a bare LF may too, and it ends with CRLF.
 */
function records(text: string, recordDelimiter: string[]): (string | null)[][] {
  return parse(text, {
    record_delimiter: recordDelimiter,
    relax_column_count: true,
    cast: (value, context) => (context.quoting ? value : value === "" ? null : value),
  }) as (string | null)[][];
}

export function parseCsv(text: string): { rows: (string | null)[][]; lineEndsOk: boolean } {
  const rows = records(text, ["\r\n", "\n"]);
  let strict: (string | null)[][] | null;
  try {
    strict = records(text, ["\r\n"]);
  } catch {
    strict = null;
  }
  const lineEndsOk = (text === "" || text.endsWith("\r\n")) && strict !== null && isDeepStrictEqual(strict, rows);
  return { rows, lineEndsOk };
}
