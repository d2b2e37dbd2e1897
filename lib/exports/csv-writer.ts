import { COMMA, CR, LF, newCopyField, PieceJoiner, scanCopyField } from "./copy-csv-scan";
import { isFormulaLikeUtf8 } from "./spreadsheet-safety";

/*
 * CSV as RFC 4180 describes it: fields separated by commas, records ended by CRLF, a field that
 * holds a comma, a double quote, CR or LF enclosed in double quotes with its quotes doubled. The
 * file starts with a UTF-8 byte order mark, which Excel needs to read UTF-8 instead of the
 * system's code page.
 *
 * Quoting follows PostgreSQL's COPY ... CSV exactly (an empty string is quoted, NULL is not, and
 * so is the lone `\.`), so the COPY fast path and the row-by-row path write the same bytes.
 */

export const UTF8_BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present";

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | null): string {
  if (value === null) return "";
  if (value === "" || value === "\\." || NEEDS_QUOTES.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

export function csvRecord(values: readonly (string | null)[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ",";
    line += csvField(values[i] ?? null);
  }
  return `${line}\r\n`;
}

const APOSTROPHE = 0x27;

export interface CopyCsvOptions {
  /** Fields that COPY writes in each record. */
  fields: number;
  /** Per field: whether a formula-like value gets the leading apostrophe. */
  neutralise: readonly boolean[];
  /** The last field, added here: this prefix followed by the record's first field (its id). */
  permalinkPrefix: string;
}

/**
 * Finishes, as it streams, the CSV that COPY ... (FORMAT csv) writes:
 * - records end with CRLF, as RFC 4180 has it (COPY ends them with LF; an LF inside a quoted
 *   field is data and stays);
 * - a formula-like value in a neutralised field gets its leading apostrophe (inside the quotes
 *   when the field is quoted), by the same rule as isFormulaLike(), read on the UTF-8 bytes;
 * - the permalink field is appended, built from the id COPY wrote first.
 * Doing this here rather than in the SELECT keeps the database's per-row work to the columns
 * themselves (measured: about a third less time in PostgreSQL); this side has CPU to spare.
 *
 * Input may break anywhere; an unfinished record is held until the rest arrives. Every record
 * must have the expected number of fields, or the output is refused rather than garbled.
 */
export class CopyCsvPostProcessor {
  private readonly joiner = new PieceJoiner();
  private readonly prefix: Buffer;
  private readonly field = newCopyField();
  records = 0;

  constructor(private readonly options: CopyCsvOptions) {
    this.prefix = Buffer.from(options.permalinkPrefix, "utf8");
  }

  /** True when the input ended between records. */
  get complete(): boolean {
    return this.joiner.pending === 0;
  }

  transform(chunk: Uint8Array): Uint8Array {
    const [input, n] = this.joiner.join(chunk);
    const { fields, neutralise } = this.options;
    // Pass 1: where apostrophes go, where records end, where their ids are.
    const inserts: number[] = [];
    const ends: number[] = [];
    const idStarts: number[] = [];
    const idEnds: number[] = [];
    let done = 0;
    let p = 0;
    const field = this.field;
    records: while (p < n) {
      const recordStart = p;
      let idStart = p;
      let idEnd = p;
      for (let index = 0; ; index++) {
        if (!scanCopyField(input, p, n, field)) {
          p = recordStart;
          break records;
        }
        if (index === 0) {
          idStart = field.start;
          idEnd = field.end;
        }
        if (neutralise[index] && isFormulaLikeUtf8(input, field.start, field.end)) inserts.push(field.start);
        p = field.after;
        if (!field.last) continue;
        if (index + 1 !== fields) throw new Error(`A COPY record had ${index + 1} fields, not ${fields}`);
        ends.push(field.separator);
        idStarts.push(idStart);
        idEnds.push(idEnd);
        done = p;
        break;
      }
    }
    this.records += ends.length;
    if (ends.length === 0) {
      this.joiner.keep(done, n);
      return new Uint8Array(0);
    }

    // Pass 2: copy, inserting the apostrophes and, before each record's end, the permalink.
    let extra = inserts.length;
    for (let r = 0; r < ends.length; r++) extra += 2 + this.prefix.length + (idEnds[r]! - idStarts[r]!);
    const out = Buffer.allocUnsafe(done + extra);
    let from = 0;
    let at = 0;
    let k = 0;
    for (let r = 0; r < ends.length; r++) {
      const end = ends[r]!;
      while (k < inserts.length && inserts[k]! < end) {
        const position = inserts[k++]!;
        at += input.copy(out, at, from, position);
        out[at++] = APOSTROPHE;
        from = position;
      }
      at += input.copy(out, at, from, end);
      out[at++] = COMMA;
      at += this.prefix.copy(out, at);
      at += input.copy(out, at, idStarts[r]!, idEnds[r]!);
      out[at++] = CR;
      out[at++] = LF;
      from = input[end] === CR ? end + 2 : end + 1;
    }
    // Only now: keeping the unfinished record moves it over the bytes just copied.
    this.joiner.keep(done, n);
    return at === out.length ? out : out.subarray(0, at);
  }
}
