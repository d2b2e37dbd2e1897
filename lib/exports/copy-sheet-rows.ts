import { newCopyField, PieceJoiner, scanCopyField } from "./copy-csv-scan";
import { isFormulaLike, isFormulaLikeUtf8 } from "./spreadsheet-safety";
import {
  columnLetter,
  dateSerial,
  inlineString,
  STYLE_LOCAL,
  STYLE_QUOTED_TEXT,
  STYLE_UTC,
  XLSX_MAX_CELL_CHARS,
  XLSX_MAX_DATA_ROWS,
  XLSX_MAX_ROWS,
  type XlsxCellKind,
} from "./xlsx-writer";

/*
 * Worksheet rows straight from the CSV that COPY writes for the xlsx select list, on the bytes:
 * the xlsx export on the server database reads its rows this way, on a thread of its own, so
 * no row is ever parsed into JavaScript values on the thread that renders pages.
 *
 * The XML is the same, byte for byte, as XlsxWriter.rowsXml() writes for the same values (a test
 * holds the two equal on generated data). Most text needs no escaping and is copied as it is;
 * a value with anything XML or OOXML treats specially, or longer than a cell holds, is decoded
 * and written by rowsXml's own functions, so the escaping rules live in one place.
 */

export interface CopySheetRowsOptions {
  /** The kind of each column COPY writes, in order (the permalink is not among them). */
  kinds: readonly XlsxCellKind[];
  /** The last column, added here: this prefix followed by the record's first field (its id). */
  permalinkPrefix: string;
  /** The sheet row the first record becomes (2: under the header). */
  firstRow: number;
}

// Per byte: 1 when a value holding it takes the slow path; 2 when it does if certain bytes follow.
const SPECIAL = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 0x09 && b !== 0x0a) SPECIAL[b] = 1;
for (const ch of '"&<>') SPECIAL[ch.charCodeAt(0)] = 1;
SPECIAL[0x5f] = 2; // `_x`: the start of what OOXML reads as an escaped character
SPECIAL[0xef] = 2; // EF BF BE / EF BF BF: U+FFFE and U+FFFF, which XML forbids

const KIND_CODE = 0;
const KIND_TEXT = 1;
const KIND_UTC = 2;
const KIND_LOCAL = 3;
const KIND_CODES: Record<XlsxCellKind, number> = {
  code: KIND_CODE,
  text: KIND_TEXT,
  "utc-time": KIND_UTC,
  "local-time": KIND_LOCAL,
};

// A prefix that needs no escaping, starts with a letter (no formula, no blank) and ends in a
// character that is not a blank: then the permalink cell is the prefix's bytes and the id's.
const PLAIN_PREFIX = /^[A-Za-z][A-Za-z0-9:/._~%+-]*$/;

function needsSlowPath(input: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const special = SPECIAL[input[i]!]!;
    if (special === 0) continue;
    if (special === 1) return true;
    if (input[i] === 0x5f) {
      if (input[i + 1] === 0x78) return true;
    } else if (input[i + 1] === 0xbf && (input[i + 2] === 0xbe || input[i + 2] === 0xbf)) {
      return true;
    }
  }
  return false;
}

function isXmlSpace(byte: number | undefined): boolean {
  return byte === 32 || byte === 9 || byte === 10 || byte === 13;
}

const ascii = (text: string) => Buffer.from(text, "latin1");
const ROW_OPEN = ascii('<row r="');
const ROW_OPEN_END = ascii('">');
const ROW_END = ascii("</row>");
const TEXT_MID = ascii('" t="inlineStr"><is><t>');
const QUOTED_TEXT_MID = ascii(`" t="inlineStr" s="${STYLE_QUOTED_TEXT}"><is><t>`);
const TEXT_END = ascii("</t></is></c>");
const UTC_MID = ascii(`" s="${STYLE_UTC}"><v>`);
const LOCAL_MID = ascii(`" s="${STYLE_LOCAL}"><v>`);
const VALUE_END = ascii("</v></c>");

/**
 * A growing output buffer. Most writes are a few bytes (markup, a row number, a short value):
 * copied byte by byte here, they cost less than a call into Buffer's native copy would.
 */
class ByteSink {
  buf = Buffer.allocUnsafe(64 * 1024);
  at = 0;

  ensure(more: number): void {
    if (this.at + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + more));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  put(src: Buffer): void {
    this.range(src, 0, src.length);
  }

  range(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const { buf } = this;
    if (n > 24) {
      src.copy(buf, this.at, start, end);
    } else {
      const at = this.at - start;
      for (let i = start; i < end; i++) buf[at + i] = src[i]!;
    }
    this.at += n;
  }

  /** A string known to be ASCII. */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const { buf, at } = this;
    for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i);
    this.at += n;
  }

  utf8(text: string): void {
    this.ensure(text.length * 3);
    this.at += this.buf.write(text, this.at, "utf8");
  }

  /** What was written since the last reset: a view, valid until the sink is written again. */
  view(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  reset(): void {
    this.at = 0;
  }
}

export class CopySheetRows {
  private readonly joiner = new PieceJoiner();
  private readonly field = newCopyField();
  private readonly kinds: Uint8Array;
  private readonly refs: string[];
  /** Per column, `<c r="` and the column's letters; the permalink's last. */
  private readonly cellOpens: Buffer[];
  private readonly plainPrefix: Buffer | null;
  private readonly sink = new ByteSink();
  private rowNumber: number;
  records = 0;

  constructor(private readonly options: CopySheetRowsOptions) {
    this.kinds = Uint8Array.from(options.kinds, (k) => KIND_CODES[k]);
    this.refs = options.kinds.map((_, i) => columnLetter(i));
    this.cellOpens = [...this.refs, columnLetter(options.kinds.length)].map((letters) => ascii(`<c r="${letters}`));
    this.plainPrefix = PLAIN_PREFIX.test(options.permalinkPrefix)
      ? Buffer.from(options.permalinkPrefix, "latin1")
      : null;
    this.rowNumber = options.firstRow - 1;
  }

  /** True when the input ended between records. */
  get complete(): boolean {
    return this.joiner.pending === 0;
  }

  /**
   * The `<row>` elements of the records completed by this piece. The result is a view of a
   * buffer that the next call writes over: use it (compress it, copy it) before calling again.
   */
  transform(chunk: Uint8Array): Buffer {
    const [input, n] = this.joiner.join(chunk);
    const { kinds, field, sink } = this;
    sink.reset();
    const fields = kinds.length;
    let done = 0;
    records: while (done < n) {
      let p = done;
      const mark = sink.at;
      if (this.rowNumber >= XLSX_MAX_ROWS)
        throw new RangeError(`An xlsx sheet holds at most ${XLSX_MAX_DATA_ROWS} data rows`);
      const r = String(this.rowNumber + 1);
      sink.put(ROW_OPEN);
      sink.ascii(r);
      sink.put(ROW_OPEN_END);
      let idStart = 0;
      let idEnd = 0;
      for (let index = 0; ; index++) {
        if (!scanCopyField(input, p, n, field)) {
          sink.at = mark;
          break records;
        }
        if (index >= fields) throw new Error(`A COPY record had more than ${fields} fields`);
        if (index === 0) {
          idStart = field.start;
          idEnd = field.end;
        }
        this.cell(input, index, r);
        p = field.after;
        if (!field.last) continue;
        if (index + 1 !== fields) throw new Error(`A COPY record had ${index + 1} fields, not ${fields}`);
        break;
      }
      this.permalink(input, idStart, idEnd, r);
      sink.put(ROW_END);
      this.rowNumber += 1;
      this.records += 1;
      done = p;
    }
    this.joiner.keep(done, n);
    return sink.view();
  }

  private cell(input: Buffer, index: number, r: string): void {
    const { field, sink } = this;
    const { start, end } = field;
    // An unquoted empty field is NULL: no cell.
    if (!field.quoted && start === end) return;
    const kind = this.kinds[index]!;
    if (kind === KIND_CODE) {
      this.textCell(index, r, TEXT_MID, input, start, end);
      return;
    }
    if (kind !== KIND_TEXT) {
      sink.put(this.cellOpens[index]!);
      sink.ascii(r);
      sink.put(kind === KIND_UTC ? UTC_MID : LOCAL_MID);
      sink.ascii(String(dateSerial(Number(input.toString("latin1", start, end)))));
      sink.put(VALUE_END);
      return;
    }
    if (start === end) return;
    // Bytes are at least as many as characters: a value this short fits a cell.
    if (
      end - start > XLSX_MAX_CELL_CHARS ||
      field.escapes ||
      needsSlowPath(input, start, end) ||
      isXmlSpace(input[start]) ||
      isXmlSpace(input[end - 1])
    ) {
      const text = input.toString("utf8", start, end);
      const value = field.escapes ? text.replaceAll('""', '"') : text;
      sink.utf8(inlineString(this.refs[index]! + r, value, isFormulaLike(value) ? STYLE_QUOTED_TEXT : 0));
      return;
    }
    this.textCell(index, r, isFormulaLikeUtf8(input, start, end) ? QUOTED_TEXT_MID : TEXT_MID, input, start, end);
  }

  /** An inline string cell whose bytes need no escaping. */
  private textCell(index: number, r: string, mid: Buffer, input: Buffer, start: number, end: number): void {
    const { sink } = this;
    sink.put(this.cellOpens[index]!);
    sink.ascii(r);
    sink.put(mid);
    sink.range(input, start, end);
    sink.put(TEXT_END);
  }

  private permalink(input: Buffer, idStart: number, idEnd: number, r: string): void {
    const index = this.kinds.length;
    if (this.plainPrefix) {
      const { sink } = this;
      sink.put(this.cellOpens[index]!);
      sink.ascii(r);
      sink.put(TEXT_MID);
      sink.put(this.plainPrefix);
      sink.range(input, idStart, idEnd);
      sink.put(TEXT_END);
      return;
    }
    const value = this.options.permalinkPrefix + input.toString("utf8", idStart, idEnd);
    this.sink.utf8(inlineString(columnLetter(index) + r, value, isFormulaLike(value) ? STYLE_QUOTED_TEXT : 0));
  }
}
