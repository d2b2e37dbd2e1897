/*
 * Reading the CSV that PostgreSQL's COPY ... (FORMAT csv) writes, field by field, on its UTF-8
 * bytes: shared by the CSV export's finishing pass and the xlsx sheet writer, which both take
 * COPY's output as it streams and may be handed a piece that ends anywhere.
 */

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const LF = 0x0a;
export const CR = 0x0d;

/** Where one field's content lies, and where the scan goes on. Reused between calls. */
export interface CopyField {
  /** Content bytes [start, end): inside the quotes for a quoted field, doubled quotes left as they are. */
  start: number;
  end: number;
  /** The field was quoted (COPY quotes an empty string, never NULL). */
  quoted: boolean;
  /** The field held a doubled quote (its content needs `""` turned into `"`). */
  escapes: boolean;
  /** Position of the byte after the field: a comma, or the record's end (LF, or CR LF). */
  separator: number;
  /** The field ended its record. */
  last: boolean;
  /** Where the next field, or the next record, starts. */
  after: number;
}

export function newCopyField(): CopyField {
  return { start: 0, end: 0, quoted: false, escapes: false, separator: 0, last: false, after: 0 };
}

/**
 * Reads the field starting at `p` into `field`. Returns false when the input ends before the
 * field and what follows it are known: the caller keeps the unfinished record for later. Throws
 * when a field is followed by anything but a comma or a line end.
 */
export function scanCopyField(input: Uint8Array, p: number, n: number, field: CopyField): boolean {
  let next: number;
  if (input[p] === QUOTE) {
    const start = p + 1;
    let j = start;
    let escapes = false;
    for (;;) {
      while (j < n && input[j] !== QUOTE) j++;
      if (j + 1 >= n) return false;
      if (input[j + 1] !== QUOTE) break;
      escapes = true;
      j += 2;
    }
    field.start = start;
    field.end = j;
    field.quoted = true;
    field.escapes = escapes;
    next = j + 1;
  } else {
    let j = p;
    while (j < n && input[j] !== COMMA && input[j] !== LF && input[j] !== CR) j++;
    if (j >= n) return false;
    field.start = p;
    field.end = j;
    field.quoted = false;
    field.escapes = false;
    next = j;
  }
  const separator = input[next];
  field.separator = next;
  if (separator === COMMA) {
    field.last = false;
    field.after = next + 1;
    return true;
  }
  if (separator === CR) {
    if (next + 1 >= n) return false;
    if (input[next + 1] !== LF) throw new Error(`Unexpected byte after a CSV field at ${next}`);
    field.last = true;
    field.after = next + 2;
    return true;
  }
  if (separator !== LF) throw new Error(`Unexpected byte after a CSV field at ${next}`);
  field.last = true;
  field.after = next + 1;
  return true;
}

/**
 * The unfinished record left by the last piece, followed by the next piece, in one buffer that is
 * reused from piece to piece: an export passes gigabytes through, and a fresh buffer for each
 * piece would pile up as garbage outside the JavaScript heap between collections.
 */
export class PieceJoiner {
  private buf = Buffer.allocUnsafe(256 * 1024);
  private carried = 0;

  /** Bytes kept from the last piece (an unfinished record). */
  get pending(): number {
    return this.carried;
  }

  /**
   * The kept bytes followed by `chunk`: valid up to the returned length, and only until the next
   * call (the buffer is reused).
   */
  join(chunk: Uint8Array): [Buffer, number] {
    const n = this.carried + chunk.length;
    if (n > this.buf.length) {
      const larger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(larger, 0, 0, this.carried);
      this.buf = larger;
    }
    this.buf.set(chunk, this.carried);
    return [this.buf, n];
  }

  /** Keeps bytes [from, n) of the joined input for the next piece. */
  keep(from: number, n: number): void {
    this.carried = n - from;
    if (from > 0 && this.carried > 0) this.buf.copyWithin(0, from, n);
  }
}
