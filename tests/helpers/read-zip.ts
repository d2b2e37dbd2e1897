import { crc32, inflateRawSync } from "node:zlib";

/**
 * The entries of a ZIP archive, by name, read through its central directory (sizes and offsets
 * from there, so entries written with data descriptors read the same). Stored and deflated
 * entries only; enough to look inside an xlsx in tests. Each entry's CRC-32 is checked, as a
 * strict reader would.
 */
export function readZip(archive: Buffer): Record<string, Buffer> {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error("not a zip archive: no end of central directory");
  const entries = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < entries; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error("bad central directory entry");
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(dataAt, dataAt + compressed);
    const content = method === 0 ? Buffer.from(data) : inflateRawSync(data);
    if (crc32(content) !== archive.readUInt32LE(at + 16)) throw new Error(`bad CRC-32 for ${name}`);
    files[name] = content;
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}
