import { promisify } from "node:util";
import zlib from "node:zlib";

/*
 * A ZIP archive written front to back, for the xlsx container. Small parts are compressed whole;
 * one part (the worksheet) is streamed: its local header says "sizes follow in a data descriptor"
 * (flag bit 3), and its data is a series of raw deflate pieces, each compressed on its own in
 * libuv's thread pool and ended with a sync flush, so the pieces concatenate into one valid
 * deflate stream (the technique pigz uses) while the next rows are being built.
 *
 * ZIP64 only where a size or offset needs it, as Go's archive/zip does: the local header carries
 * no ZIP64 field, the data descriptor and central directory switch to 8-byte sizes past 4 GiB.
 * Excel and LibreOffice read such files; some older readers choke on ZIP64 fields that are not
 * needed, so ordinary exports never contain one.
 */

const deflateRawAsync = promisify(zlib.deflateRaw);

/**
 * One piece of a streamed entry's deflate stream, compressed in libuv's thread pool and ended
 * with a sync flush, so that pieces compressed apart concatenate into one valid stream.
 */
export function deflatePiece(data: Buffer, level: number): Promise<Buffer> {
  // A large output chunk: fewer callbacks back on the calling thread per piece.
  return deflateRawAsync(data, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 256 * 1024 });
}

/** deflatePiece() on the calling thread, for a thread whose own work it is. */
export function deflatePieceSync(data: Uint8Array, level: number): Buffer {
  return zlib.deflateRawSync(data, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 256 * 1024 });
}

/** A piece of the open entry compressed elsewhere (another thread), with the entry's running CRC after it. */
export interface CompressedPiece {
  out: Uint8Array;
  /** CRC-32 of the entry's uncompressed bytes so far, this piece's included. */
  crc: number;
  /** Uncompressed bytes in this piece. */
  bytesIn: number;
}

const UINT32_MAX = 0xffffffff;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;

interface CentralEntry {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  uncompressed: number;
  offset: number;
  time: number;
  date: number;
}

function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getUTCFullYear());
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

function writeUint64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % 0x100000000, at);
  buf.writeUInt32LE(Math.floor(value / 0x100000000), at + 4);
}

export class ZipStream {
  private offset = 0;
  private readonly entries: CentralEntry[] = [];
  private readonly stamp: { time: number; date: number };
  private open: (CentralEntry & { pending: number }) | null = null;

  constructor(
    modifiedAt: Date,
    private readonly level = 1,
  ) {
    this.stamp = dosDateTime(modifiedAt);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.offset;
  }

  private emit(buf: Buffer): Buffer {
    this.offset += buf.length;
    return buf;
  }

  private localHeader(entry: CentralEntry): Buffer {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(entry.flags, 6);
    header.writeUInt16LE(METHOD_DEFLATE, 8);
    header.writeUInt16LE(entry.time, 10);
    header.writeUInt16LE(entry.date, 12);
    const known = (entry.flags & FLAG_DATA_DESCRIPTOR) === 0;
    header.writeUInt32LE(known ? entry.crc : 0, 14);
    header.writeUInt32LE(known ? entry.compressed : 0, 18);
    header.writeUInt32LE(known ? entry.uncompressed : 0, 22);
    header.writeUInt16LE(entry.name.length, 26);
    header.writeUInt16LE(0, 28);
    return Buffer.concat([header, entry.name]);
  }

  /** A whole, small file. */
  file(name: string, content: string | Buffer): Buffer {
    if (this.open) throw new Error("A streamed entry is still open");
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const compressed = zlib.deflateRawSync(data, { level: 6 });
    const entry: CentralEntry = {
      name: Buffer.from(name, "utf8"),
      flags: FLAG_UTF8,
      crc: zlib.crc32(data),
      compressed: compressed.length,
      uncompressed: data.length,
      offset: this.offset,
      ...this.stamp,
    };
    this.entries.push(entry);
    return this.emit(Buffer.concat([this.localHeader(entry), compressed]));
  }

  /** Opens a streamed entry; its data comes through write() and ends with end(). */
  begin(name: string): Buffer {
    if (this.open) throw new Error("A streamed entry is still open");
    this.open = {
      name: Buffer.from(name, "utf8"),
      flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      crc: 0,
      compressed: 0,
      uncompressed: 0,
      offset: this.offset,
      pending: 0,
      ...this.stamp,
    };
    return this.emit(this.localHeader(this.open));
  }

  /**
   * Compresses a piece of the open entry. Pieces must be awaited in the order they were written
   * (the CRC is taken here, synchronously, in call order; the compressed bytes are independent).
   */
  async write(data: Buffer): Promise<Buffer> {
    const entry = this.open;
    if (!entry) throw new Error("No streamed entry is open");
    if (data.length === 0) return Buffer.alloc(0);
    entry.crc = zlib.crc32(data, entry.crc);
    entry.uncompressed += data.length;
    entry.pending += 1;
    try {
      const out = await deflatePiece(data, this.level);
      entry.compressed += out.length;
      return this.emit(out);
    } finally {
      entry.pending -= 1;
    }
  }

  /** The open entry's CRC so far: where a thread compressing its next pieces starts. */
  get openCrc(): number {
    if (!this.open) throw new Error("No streamed entry is open");
    return this.open.crc;
  }

  /**
   * Adds a piece of the open entry that was compressed elsewhere (deflatePieceSync on another
   * thread, which carried the CRC on from openCrc). Pieces must come in order, with no write()
   * pending.
   */
  append(piece: CompressedPiece): Buffer {
    const entry = this.open;
    if (!entry) throw new Error("No streamed entry is open");
    if (entry.pending > 0) throw new Error("Compressed pieces are still pending");
    entry.crc = piece.crc;
    entry.uncompressed += piece.bytesIn;
    entry.compressed += piece.out.length;
    const out = Buffer.from(piece.out.buffer, piece.out.byteOffset, piece.out.byteLength);
    return this.emit(out);
  }

  /** Ends the open entry: the final empty deflate block and the data descriptor. */
  end(): Buffer {
    const entry = this.open;
    if (!entry) throw new Error("No streamed entry is open");
    if (entry.pending > 0) throw new Error("Compressed pieces are still pending");
    const last = zlib.deflateRawSync(Buffer.alloc(0));
    entry.compressed += last.length;
    const zip64 = entry.compressed >= UINT32_MAX || entry.uncompressed >= UINT32_MAX;
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc, 4);
    if (zip64) {
      writeUint64(descriptor, entry.compressed, 8);
      writeUint64(descriptor, entry.uncompressed, 16);
    } else {
      descriptor.writeUInt32LE(entry.compressed, 8);
      descriptor.writeUInt32LE(entry.uncompressed, 12);
    }
    this.entries.push(entry);
    this.open = null;
    return this.emit(Buffer.concat([last, descriptor]));
  }

  /** The central directory and its end records. */
  finish(): Buffer {
    if (this.open) throw new Error("A streamed entry is still open");
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const needs = {
        uncompressed: e.uncompressed >= UINT32_MAX,
        compressed: e.compressed >= UINT32_MAX,
        offset: e.offset >= UINT32_MAX,
      };
      const extraValues = [
        needs.uncompressed ? e.uncompressed : null,
        needs.compressed ? e.compressed : null,
        needs.offset ? e.offset : null,
      ].filter((v): v is number => v !== null);
      const extra = Buffer.alloc(extraValues.length ? 4 + 8 * extraValues.length : 0);
      if (extraValues.length) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8 * extraValues.length, 2);
        extraValues.forEach((v, i) => writeUint64(extra, v, 4 + 8 * i));
      }
      const version = extraValues.length ? 45 : 20;
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(version, 4);
      header.writeUInt16LE(version, 6);
      header.writeUInt16LE(e.flags, 8);
      header.writeUInt16LE(METHOD_DEFLATE, 10);
      header.writeUInt16LE(e.time, 12);
      header.writeUInt16LE(e.date, 14);
      header.writeUInt32LE(e.crc, 16);
      header.writeUInt32LE(needs.compressed ? UINT32_MAX : e.compressed, 20);
      header.writeUInt32LE(needs.uncompressed ? UINT32_MAX : e.uncompressed, 24);
      header.writeUInt16LE(e.name.length, 28);
      header.writeUInt16LE(extra.length, 30);
      header.writeUInt16LE(0, 32);
      header.writeUInt16LE(0, 34);
      header.writeUInt16LE(0, 36);
      header.writeUInt32LE(0, 38);
      header.writeUInt32LE(needs.offset ? UINT32_MAX : e.offset, 42);
      parts.push(header, e.name, extra);
    }
    const directory = Buffer.concat(parts);
    const directoryEnd = start + directory.length;
    const zip64 = start >= UINT32_MAX || directory.length >= UINT32_MAX || this.entries.length >= 0xffff;
    const tail: Buffer[] = [];
    if (zip64) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      writeUint64(record, 44, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeUInt32LE(0, 16);
      record.writeUInt32LE(0, 20);
      writeUint64(record, this.entries.length, 24);
      writeUint64(record, this.entries.length, 32);
      writeUint64(record, directory.length, 40);
      writeUint64(record, start, 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeUInt32LE(0, 4);
      writeUint64(locator, directoryEnd, 8);
      locator.writeUInt32LE(1, 16);
      tail.push(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 8);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 10);
    end.writeUInt32LE(zip64 ? UINT32_MAX : directory.length, 12);
    end.writeUInt32LE(zip64 ? UINT32_MAX : start, 16);
    end.writeUInt16LE(0, 20);
    tail.push(end);
    return this.emit(Buffer.concat([directory, ...tail]));
  }
}
