import { newCopyField, PieceJoiner, scanCopyField, type CopyField } from "./copy-csv-scan";

/*
 * NDJSON lines from the CSV that COPY writes for entryJsonColumns() (entry-json.ts): PostgreSQL
 * sends the columns as plain text, which it does about three times as fast as it writes JSON, and
 * this writes each line, on a thread of the console (ndjson-writer-worker.ts), so the two cores
 * share the work. A line is byte for byte what entryJsonText() makes PostgreSQL write for the same
 * row (json_build_object's `"key" : value, ` spacing, its string escapes, which JSON.stringify's
 * are for valid text, and jsonb's own text): the read API's pages and its stream cannot differ.
 */

/** How a column becomes a JSON value: a string, or JSON text as it is (jsonb). */
type Kind = "string" | "json";

/** The entry's keys in order; a group is null when all of its columns are. */
type Member = { key: string; column: number; kind: Kind } | { key: string; group: { key: string; column: number }[] };

/** The columns of entryJsonColumns(), in order. */
export const NDJSON_COLUMN_KINDS: readonly Kind[] = [
  "string", // id
  "string", // occurredAt
  "string", // receivedAt
  "string", // actor id
  "string", // actor name
  "string", // actor email
  "string", // category
  "string", // action
  "string", // description
  "string", // target type
  "string", // target id
  "string", // target name
  "string", // result
  "string", // level
  "string", // service
  "string", // ip
  "string", // userAgent
  "string", // requestId
  "string", // correlationId
  "json", // params
  "json", // before
  "json", // after
  "string", // error code
  "string", // error message
  "string", // idempotencyKey
];

const MEMBERS: Member[] = [
  { key: "id", column: 0, kind: "string" },
  { key: "occurredAt", column: 1, kind: "string" },
  { key: "receivedAt", column: 2, kind: "string" },
  {
    key: "actor",
    group: [
      { key: "id", column: 3 },
      { key: "name", column: 4 },
      { key: "email", column: 5 },
    ],
  },
  { key: "category", column: 6, kind: "string" },
  { key: "action", column: 7, kind: "string" },
  { key: "description", column: 8, kind: "string" },
  {
    key: "target",
    group: [
      { key: "type", column: 9 },
      { key: "id", column: 10 },
      { key: "name", column: 11 },
    ],
  },
  { key: "result", column: 12, kind: "string" },
  { key: "level", column: 13, kind: "string" },
  { key: "service", column: 14, kind: "string" },
  { key: "ip", column: 15, kind: "string" },
  { key: "userAgent", column: 16, kind: "string" },
  { key: "requestId", column: 17, kind: "string" },
  { key: "correlationId", column: 18, kind: "string" },
  { key: "params", column: 19, kind: "json" },
  { key: "before", column: 20, kind: "json" },
  { key: "after", column: 21, kind: "json" },
  {
    key: "error",
    group: [
      { key: "code", column: 22 },
      { key: "message", column: 23 },
    ],
  },
  { key: "idempotencyKey", column: 24, kind: "string" },
];

const FIELDS = NDJSON_COLUMN_KINDS.length;

const BACKSLASH = 0x5c;
const QUOTE_BYTE = 0x22;
const HEX = "0123456789abcdef";
// JSON's short escapes for the control characters that have one (escape_json's and JSON.stringify's).
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };

/** An output buffer that grows, reused from piece to piece. */
class ByteOut {
  buf = Buffer.allocUnsafe(1024 * 1024);
  at = 0;

  ensure(more: number): void {
    if (this.at + more <= this.buf.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.at + more, this.buf.length * 2));
    this.buf.copy(larger, 0, 0, this.at);
    this.buf = larger;
  }

  ascii(text: Buffer): void {
    this.ensure(text.length);
    this.at += text.copy(this.buf, this.at);
  }

  /** A field's bytes as they are (jsonb's text), `""` back to `"`. */
  raw(input: Buffer, field: CopyField): void {
    this.ensure(field.end - field.start);
    if (!field.escapes) {
      this.at += input.copy(this.buf, this.at, field.start, field.end);
      return;
    }
    for (let i = field.start; i < field.end; i++) {
      this.buf[this.at++] = input[i]!;
      if (input[i] === QUOTE_BYTE) i++;
    }
  }

  /** A field's bytes as a JSON string: quotes, backslashes and control characters escaped. */
  string(input: Buffer, field: CopyField): void {
    // At most six bytes for one (\u00XX), and the two quotes.
    this.ensure(6 * (field.end - field.start) + 2);
    const out = this.buf;
    let at = this.at;
    out[at++] = QUOTE_BYTE;
    for (let i = field.start; i < field.end; i++) {
      const b = input[i]!;
      if (b >= 0x20 && b !== QUOTE_BYTE && b !== BACKSLASH) {
        out[at++] = b;
        continue;
      }
      out[at++] = BACKSLASH;
      if (b === QUOTE_BYTE) {
        out[at++] = QUOTE_BYTE;
        // COPY doubles a quote inside a quoted field.
        if (field.escapes) i++;
      } else if (b === BACKSLASH) out[at++] = BACKSLASH;
      else if (SHORT_ESCAPES[b] !== undefined) out[at++] = SHORT_ESCAPES[b]!;
      else {
        out[at++] = 0x75; // u
        out[at++] = 0x30;
        out[at++] = 0x30;
        out[at++] = HEX.charCodeAt(b >> 4);
        out[at++] = HEX.charCodeAt(b & 15);
      }
    }
    out[at++] = QUOTE_BYTE;
    this.at = at;
  }
}

const NULL = Buffer.from("null");
const bytesOf = (text: string) => Buffer.from(text, "utf8");

/** What comes before each column's value, and how the value is written, in the line's order. */
interface Step {
  /** Written before the value: the key (`, "key" : `) or a group's opening. */
  before: Buffer;
  column: number;
  kind: Kind;
  /** The group this column belongs to, and whether it is the group's last column. */
  group: { columns: number[]; last: boolean } | null;
}

function stepsOf(): { steps: Step[]; groups: Map<number, { key: Buffer; columns: number[] }> } {
  const steps: Step[] = [];
  const groups = new Map<number, { key: Buffer; columns: number[] }>();
  let first = true;
  for (const member of MEMBERS) {
    const sep = first ? "" : ", ";
    first = false;
    if ("group" in member) {
      const columns = member.group.map((g) => g.column);
      groups.set(columns[0]!, { key: bytesOf(`${sep}"${member.key}" : `), columns });
      member.group.forEach((g, i) =>
        steps.push({
          before: bytesOf(`${i === 0 ? "{" : ", "}"${g.key}" : `),
          column: g.column,
          kind: "string",
          group: { columns, last: i === member.group.length - 1 },
        }),
      );
    } else {
      steps.push({
        before: bytesOf(`${sep}"${member.key}" : `),
        column: member.column,
        kind: member.kind,
        group: null,
      });
    }
  }
  return { steps, groups };
}

/** COPY's CSV output in, NDJSON out, piece by piece; a piece may end anywhere. */
export class CopyNdjsonWriter {
  private readonly joiner = new PieceJoiner();
  private readonly fields: CopyField[] = Array.from({ length: FIELDS }, newCopyField);
  private readonly out = new ByteOut();
  private readonly urlStart: Buffer;
  private readonly plan = stepsOf();
  records = 0;

  constructor(permalinkPrefix: string) {
    this.urlStart = bytesOf(`, "url" : ${JSON.stringify(permalinkPrefix).slice(0, -1)}`);
  }

  /** True when the input ended between records. */
  get complete(): boolean {
    return this.joiner.pending === 0;
  }

  transform(chunk: Uint8Array): Uint8Array {
    const [input, n] = this.joiner.join(chunk);
    this.out.at = 0;
    let done = 0;
    let p = 0;
    records: while (p < n) {
      const recordStart = p;
      for (let index = 0; ; index++) {
        if (index >= FIELDS) throw new Error(`A COPY record had more than ${FIELDS} fields`);
        const field = this.fields[index]!;
        if (!scanCopyField(input, p, n, field)) {
          p = recordStart;
          break records;
        }
        p = field.after;
        if (!field.last) continue;
        if (index + 1 !== FIELDS) throw new Error(`A COPY record had ${index + 1} fields, not ${FIELDS}`);
        this.writeLine(input);
        this.records += 1;
        done = p;
        break;
      }
    }
    this.joiner.keep(done, n);
    return Buffer.from(this.out.buf.subarray(0, this.out.at));
  }

  private writeLine(input: Buffer): void {
    const out = this.out;
    const isNull = (f: CopyField) => !f.quoted && f.start === f.end;
    out.ensure(1);
    out.buf[out.at++] = 0x7b; // {
    let skipGroup: number[] | null = null;
    for (const step of this.plan.steps) {
      const field = this.fields[step.column]!;
      if (step.group) {
        if (step.group.columns[0] === step.column) {
          out.ascii(this.plan.groups.get(step.column)!.key);
          skipGroup = step.group.columns.every((c) => isNull(this.fields[c]!)) ? step.group.columns : null;
          if (skipGroup) out.ascii(NULL);
        }
        if (skipGroup) continue;
      }
      out.ascii(step.before);
      if (isNull(field)) out.ascii(NULL);
      else if (step.kind === "json") out.raw(input, field);
      else out.string(input, field);
      if (step.group?.last) {
        out.ensure(1);
        out.buf[out.at++] = 0x7d; // }
      }
    }
    // The permalink: the prefix (a JSON string without its closing quote), the id, the quote.
    const id = this.fields[0]!;
    out.ascii(this.urlStart);
    out.ensure(id.end - id.start + 3);
    out.at += input.copy(out.buf, out.at, id.start, id.end);
    out.buf[out.at++] = QUOTE_BYTE;
    out.buf[out.at++] = 0x7d; // }
    out.buf[out.at++] = 0x0a;
  }
}
