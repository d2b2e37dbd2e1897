/**
 * RFC 4180, strictly: records end with CRLF; quoted fields may hold commas, doubled quotes and
 * line breaks. Returns null for an empty unquoted field (COPY's NULL) and "" for `""`, and says
 * whether every record ended with CRLF.
 */
export function parseCsv(text: string): { rows: (string | null)[][]; lineEndsOk: boolean } {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let field = "";
  let quoted = false;
  let wasQuoted = false;
  let lineEndsOk = true;
  let i = 0;
  const endField = () => {
    row.push(field === "" && !wasQuoted ? null : field);
    field = "";
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          quoted = false;
          i += 1;
        }
      } else {
        field += ch;
        i += 1;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== "") throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      wasQuoted = true;
      i += 1;
    } else if (ch === ",") {
      endField();
      i += 1;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      endRecord();
      i += 2;
    } else if (ch === "\n" || ch === "\r") {
      lineEndsOk = false;
      endRecord();
      i += 1;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (field !== "" || wasQuoted || row.length > 0) {
    lineEndsOk = false;
    endRecord();
  }
  return { rows, lineEndsOk };
}
