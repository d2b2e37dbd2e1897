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

/**
 * The entry's keys in order, each one column of entryJsonColumns() in that order, or a group of
 * string columns (an object, or null when all of them are).
 */
type Member = { key: string; kind: Kind } | { key: string; group: string[] };

const MEMBERS: Member[] = [
  { key: "id", kind: "string" },
  { key: "occurredAt", kind: "string" },
  { key: "receivedAt", kind: "string" },
  { key: "actor", group: ["id", "name", "email"] },
  { key: "category", kind: "string" },
  { key: "action", kind: "string" },
  { key: "description", kind: "string" },
  { key: "target", group: ["type", "id", "name"] },
  { key: "result", kind: "string" },
  { key: "level", kind: "string" },
  { key: "service", kind: "string" },
  { key: "ip", kind: "string" },
  { key: "userAgent", kind: "string" },
  { key: "requestId", kind: "string" },
  { key: "correlationId", kind: "string" },
  { key: "params", kind: "json" },
  { key: "before", kind: "json" },
  { key: "after", kind: "json" },
  { key: "error", group: ["code", "message"] },
  { key: "idempotencyKey", kind: "string" },
];

const bytesOf = (text: string) => Buffer.from(text, "utf8");

/** MEMBERS with their columns numbered and their keys as the bytes written before each value. */
type Planned = { key: Buffer; column: number; kind: Kind } | { key: Buffer; group: { key: Buffer; column: number }[] };

let columns = 0;
const PLAN: Planned[] = MEMBERS.map((member, index) => {
  const key = bytesOf(`${index === 0 ? "" : ", "}"${member.key}" : `);
  if ("kind" in member) return { key, column: columns++, kind: member.kind };
  return {
    key,
    group: member.group.map((name, i) => ({ key: bytesOf(`${i === 0 ? "{" : ", "}"${name}" : `), column: columns++ })),
  };
});
const FIELDS = columns;

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

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.at++] = b;
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

// COPY writes NULL as an empty unquoted field and an empty string as "".
function isNull(field: CopyField): boolean {
  return !field.quoted && field.start === field.end;
}

/** COPY's CSV output in, NDJSON out, piece by piece; a piece may end anywhere. */
export class CopyNdjsonWriter {
  private readonly joiner = new PieceJoiner();
  private readonly fields: CopyField[] = Array.from({ length: FIELDS }, newCopyField);
  private readonly out = new ByteOut();
  private readonly urlStart: Buffer;
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

  private value(input: Buffer, field: CopyField, kind: Kind): void {
    if (isNull(field)) this.out.ascii(NULL);
    else if (kind === "json") this.out.raw(input, field);
    else this.out.string(input, field);
  }

  private writeLine(input: Buffer): void {
    const out = this.out;
    const fields = this.fields;
    out.byte(0x7b); // {
    for (const member of PLAN) {
      out.ascii(member.key);
      if ("kind" in member) {
        this.value(input, fields[member.column]!, member.kind);
        continue;
      }
      if (member.group.every((g) => isNull(fields[g.column]!))) {
        out.ascii(NULL);
        continue;
      }
      for (const g of member.group) {
        out.ascii(g.key);
        this.value(input, fields[g.column]!, "string");
      }
      out.byte(0x7d); // }
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
