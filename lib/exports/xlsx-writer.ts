import { ZipStream, type CompressedPiece } from "./zip-stream";
import { isFormulaLike } from "./spreadsheet-safety";

/*
 * A streaming xlsx writer for one sheet of known columns. Rows become worksheet XML with inline
 * strings (no shared-string table to hold in memory), dates become real dates (serial numbers
 * with a date format), the header row is frozen and carries an auto-filter, and the columns have
 * widths. Memory is one batch of rows at a time whatever the row count.
 *
 * Written here rather than with exceljs because exceljs' streaming WorkbookWriter missed both the
 * rate and the memory goal on the same rows (bench/export.ts --modes xlsx-exceljs; the figures are
 * in docs/performance.md, "Design choices"). It emits the XML as text and compresses it in the
 * thread pool while the next rows are built.
 *
 * On the server database the rows come another way: CopySheetRows writes the same XML from
 * COPY's output on a thread of its own, compresses it there, and appendRows() adds the pieces.
 */

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Rows on a sheet, the header included. */
export const XLSX_MAX_ROWS = 1_048_576;
/** Data rows that fit under the header. */
export const XLSX_MAX_DATA_ROWS = XLSX_MAX_ROWS - 1;
/** Characters in one cell. */
export const XLSX_MAX_CELL_CHARS = 32_767;

/** text: any string; code: a string known to need no escaping (ids, enum codes, addresses). */
export type XlsxCellKind = "text" | "code" | "utc-time" | "local-time";

export interface XlsxColumn {
  header: string;
  width: number;
  kind: XlsxCellKind;
}

// Style indexes into cellXfs below.
const STYLE_HEADER = 1;
export const STYLE_UTC = 2;
export const STYLE_LOCAL = 3;
export const STYLE_QUOTED_TEXT = 4;

const MS_PER_DAY = 86_400_000;
// Excel's serial day 25569 is 1970-01-01 (the 1900 date system).
const EPOCH_SERIAL = 25_569;

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Excel's serial date of an instant given as milliseconds since 1970 (UTC, or a wall clock read as UTC). */
export function dateSerial(epochMs: number): number {
  return epochMs / MS_PER_DAY + EPOCH_SERIAL;
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let name = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    name = String.fromCharCode(65 + rem) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

// Characters XML 1.0 forbids (Excel refuses the file): C0 controls but tab, LF, CR; U+FFFE/FFFF;
// surrogates (checked below: pairs are fine). `_xHHHH_` is how OOXML spells them in text, so a
// literal `_xHHHH_` in the data needs its underscore escaped (`_x005F_`) to survive. A CR would
// be read back as LF (XML's line-end normalisation), so it is written as a character reference.
const SLOW_PATH = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]|_x[0-9a-fA-F]{4}_/;
const OOXML_ESCAPE = /_x[0-9a-fA-F]{4}_/g;
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(value: string): string {
  if (!SLOW_PATH.test(value)) return value;
  return value
    .replace(OOXML_ESCAPE, (m) => `_x005F${m}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;")
    .replace(ILLEGAL, (ch) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`)
    .replace(LONE_SURROGATE, "\ufffd");
}

function attr(value: string): string {
  return xmlText(value).replace(/"/g, "&quot;");
}

/** The cell's text, cut to Excel's limit with a note saying so (the CSV keeps all of it). */
export function fitCell(value: string): string {
  if (value.length <= XLSX_MAX_CELL_CHARS) return value;
  const note = ` … [cut: ${value.length.toLocaleString("en-US")} characters in all; the CSV export has the full text]`;
  let cut = XLSX_MAX_CELL_CHARS - note.length;
  // Never split a surrogate pair.
  const code = value.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return value.slice(0, cut) + note;
}

// XML whitespace (space, tab, LF, CR) at either end is dropped by readers unless preserved.
function isXmlSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** A text cell, cut to Excel's limit, escaped, its edge blanks kept. */
export function inlineString(ref: string, value: string, style: number): string {
  const text = value.length > XLSX_MAX_CELL_CHARS ? fitCell(value) : value;
  const s = style ? ` s="${style}"` : "";
  const space =
    isXmlSpace(text.charCodeAt(0)) || isXmlSpace(text.charCodeAt(text.length - 1)) ? ' xml:space="preserve"' : "";
  return `<c r="${ref}" t="inlineStr"${s}><is><t${space}>${xmlText(text)}</t></is></c>`;
}

function stylesXml(): string {
  return (
    XML_HEAD +
    `<styleSheet xmlns="${NS_MAIN}">` +
    '<numFmts count="2">' +
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd&quot;T&quot;hh:mm:ss.000&quot;Z&quot;"/>' +
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss.000"/>' +
    "</numFmts>" +
    '<fonts count="2">' +
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
    "</fonts>" +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    '<cellXfs count="5">' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
    // Text that looks like a formula: Excel keeps it text even when the cell is edited.
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>' +
    "</cellXfs>" +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
    "</styleSheet>"
  );
}

export interface XlsxWriterOptions {
  sheetName: string;
  title: string;
  createdAt: Date;
  /** zlib level for the worksheet: 1 is several times faster than 6 for ~25% more bytes. */
  level?: number;
}

const DEFAULT_LEVEL = 1;

export class XlsxWriter {
  private readonly zip: ZipStream;
  private readonly refs: string[];
  private readonly kinds: XlsxCellKind[];
  private rowNumber = 1;

  constructor(
    private readonly columns: readonly XlsxColumn[],
    private readonly options: XlsxWriterOptions,
  ) {
    this.zip = new ZipStream(options.createdAt, options.level ?? DEFAULT_LEVEL);
    this.refs = columns.map((_, i) => columnLetter(i));
    this.kinds = columns.map((c) => c.kind);
  }

  /** Data rows written so far. */
  get rows(): number {
    return this.rowNumber - 1;
  }

  get bytes(): number {
    return this.zip.size;
  }

  private get lastColumn(): string {
    return this.refs[this.refs.length - 1] ?? "A";
  }

  /** The package parts before the worksheet, and the worksheet's start with the header row. */
  async start(): Promise<Buffer[]> {
    const created = this.options.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z");
    const parts = [
      this.zip.file(
        "[Content_Types].xml",
        XML_HEAD +
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
          '<Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
          '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
          "</Types>",
      ),
      this.zip.file(
        "_rels/.rels",
        XML_HEAD +
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
          '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>' +
          "</Relationships>",
      ),
      this.zip.file(
        "docProps/core.xml",
        XML_HEAD +
          '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
          `<dc:title>${xmlText(this.options.title)}</dc:title>` +
          `<dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created>` +
          "</cp:coreProperties>",
      ),
      this.zip.file(
        "docProps/app.xml",
        XML_HEAD +
          '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Audit Console</Application></Properties>',
      ),
      this.zip.file(
        "xl/_rels/workbook.xml.rels",
        XML_HEAD +
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
          "</Relationships>",
      ),
      this.zip.file("xl/styles.xml", stylesXml()),
      this.zip.begin("xl/worksheets/sheet1.xml"),
    ];
    const cols = this.columns
      .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
      .join("");
    const header = this.columns.map((c, i) => inlineString(`${this.refs[i]}1`, c.header, STYLE_HEADER)).join("");
    const head =
      XML_HEAD +
      `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
      '<sheetViews><sheetView workbookViewId="0" tabSelected="1">' +
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>' +
      "</sheetView></sheetViews>" +
      '<sheetFormatPr defaultRowHeight="15"/>' +
      `<cols>${cols}</cols>` +
      `<sheetData><row r="1">${header}</row>`;
    parts.push(await this.zip.write(Buffer.from(head, "utf8")));
    return parts;
  }

  /** Worksheet XML for rows shaped like the columns: strings (or null) and epoch milliseconds. */
  rowsXml(rows: readonly (readonly unknown[])[]): string {
    const { refs, kinds } = this;
    let xml = "";
    for (const row of rows) {
      if (this.rowNumber >= XLSX_MAX_ROWS)
        throw new RangeError(`An xlsx sheet holds at most ${XLSX_MAX_DATA_ROWS} data rows`);
      const r = ++this.rowNumber;
      xml += `<row r="${r}">`;
      for (let i = 0; i < kinds.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) continue;
        const kind = kinds[i]!;
        if (kind === "code") {
          xml += `<c r="${refs[i]}${r}" t="inlineStr"><is><t>${value as string}</t></is></c>`;
        } else if (kind === "text") {
          const text = typeof value === "string" ? value : String(value);
          if (text === "") continue;
          xml += inlineString(`${refs[i]}${r}`, text, isFormulaLike(text) ? STYLE_QUOTED_TEXT : 0);
        } else {
          xml += `<c r="${refs[i]}${r}" s="${kind === "utc-time" ? STYLE_UTC : STYLE_LOCAL}"><v>${dateSerial(Number(value))}</v></c>`;
        }
      }
      xml += "</row>";
    }
    return xml;
  }

  /** The worksheet's CRC so far: where a thread that writes the next rows carries it on from. */
  get sheetCrc(): number {
    return this.zip.openCrc;
  }

  /** The sheet row the next data row becomes. */
  get nextRow(): number {
    return this.rowNumber + 1;
  }

  /** The zlib level of the worksheet, for a thread that compresses its rows. */
  get level(): number {
    return this.options.level ?? DEFAULT_LEVEL;
  }

  /**
   * Rows written and compressed on another thread (CopySheetRows and deflatePieceSync), in order;
   * `rows` is the number of data rows the sheet holds once this piece is in.
   */
  appendRows(piece: CompressedPiece, rows: number): Buffer {
    if (rows > XLSX_MAX_DATA_ROWS) throw new RangeError(`An xlsx sheet holds at most ${XLSX_MAX_DATA_ROWS} data rows`);
    this.rowNumber = rows + 1;
    return this.zip.append(piece);
  }

  /** Compresses a piece of worksheet XML; await the pieces in the order they were made. */
  compress(xml: string): Promise<Buffer> {
    return this.zip.write(Buffer.from(xml, "utf8"));
  }

  /** The worksheet's end (auto-filter over every row), the workbook part and the directory. */
  async finish(): Promise<Buffer[]> {
    const last = this.rowNumber;
    const tail = `</sheetData><autoFilter ref="A1:${this.lastColumn}${last}"/></worksheet>`;
    const parts = [await this.zip.write(Buffer.from(tail, "utf8")), this.zip.end()];
    const sheet = attr(this.options.sheetName);
    const quoted = `'${this.options.sheetName.replace(/'/g, "''")}'`;
    parts.push(
      this.zip.file(
        "xl/workbook.xml",
        XML_HEAD +
          `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
          '<bookViews><workbookView activeTab="0"/></bookViews>' +
          `<sheets><sheet name="${sheet}" sheetId="1" r:id="rId1"/></sheets>` +
          `<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">${xmlText(`${quoted}!$A$1:$${this.lastColumn}$${last}`)}</definedName></definedNames>` +
          "</workbook>",
      ),
      this.zip.finish(),
    );
    return parts;
  }
}
