import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeLeaves, type Leaf } from "@/lib/integrity/block";
import { leafHash, merkleRoot, sha256 } from "@/lib/integrity/merkle";
import { sealedRecord } from "@/lib/integrity/sealed-record";

function leaves(n: number): Leaf[] {
  return Array.from({ length: n }, (_, i) => ({
    entryId: randomUUID(),
    hash: leafHash(`entry ${i}`),
    occurredAt: new Date(Date.UTC(2026, 11, 1, 0, 0, i)),
    category: "auth",
  }));
}

describe("a block's record of leaves, decoded once per content", () => {
  it("gives the leaves, their root and their places, and the same answer again for the same bytes", () => {
    const sealed = leaves(37);
    const bytes = encodeLeaves(sealed);
    const record = sealedRecord(bytes);
    expect(record.digest).toBe(sha256(bytes).toString("hex"));
    expect(record.root).toBe(merkleRoot(sealed.map((l) => l.hash)).toString("hex"));
    expect(record.leaves!.map((l) => l.entryId)).toEqual(sealed.map((l) => l.entryId));
    expect(record.byId.get(sealed[20]!.entryId)!.index).toBe(20);
    expect(sealedRecord(Buffer.from(bytes))).toBe(record);
  });

  it("reads changed bytes afresh: a changed leaf gives another digest and another root", () => {
    const sealed = leaves(16);
    const bytes = encodeLeaves(sealed);
    const before = sealedRecord(bytes);
    const changed = Buffer.from(bytes);
    changed[57 * 3 + 20] = changed[57 * 3 + 20]! ^ 0xff;
    const after = sealedRecord(changed);
    expect(after.digest).not.toBe(before.digest);
    expect(after.root).not.toBe(before.root);
    expect(after.leaves![3]!.hash.equals(before.leaves![3]!.hash)).toBe(false);
    // The first record is still what its own bytes give.
    expect(sealedRecord(bytes).root).toBe(before.root);
  });

  it("says when the bytes are not whole leaf records", () => {
    const record = sealedRecord(Buffer.concat([encodeLeaves(leaves(2)), Buffer.from([1, 2, 3])]));
    expect(record.leaves).toBeNull();
    expect(record.root).toBeNull();
  });
});
