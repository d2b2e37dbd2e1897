import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLeaves, encodeLeaves } from "@/lib/integrity/block";
import { leafHash, merkleRoot } from "@/lib/integrity/merkle";

// RFC 6962, section 2.1, written as the RFC does: the recursive definition the iterative one must match.
function rfcRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash("sha256").digest();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash("sha256")
    .update(Buffer.from([1]))
    .update(rfcRoot(leaves.slice(0, k)))
    .update(rfcRoot(leaves.slice(k)))
    .digest();
}

describe("the Merkle root", () => {
  it("is RFC 6962's tree hash for any number of leaves", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 70 }), (lines) => {
        const leaves = lines.map(leafHash);
        expect(merkleRoot(leaves).equals(rfcRoot(leaves))).toBe(true);
      }),
    );
  });

  it("changes when a leaf changes or two leaves swap", () => {
    const leaves = ["a", "b", "c", "d", "e"].map(leafHash);
    const root = merkleRoot(leaves);
    expect(merkleRoot([leaves[0]!, leaves[2]!, leaves[1]!, leaves[3]!, leaves[4]!]).equals(root)).toBe(false);
    expect(merkleRoot([...leaves.slice(0, 4), leafHash("E")]).equals(root)).toBe(false);
    expect(merkleRoot(leaves.slice(0, 4)).equals(root)).toBe(false);
  });
});

describe("the record of leaves", () => {
  it("decodes to what was encoded", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            entryId: fc.uuid(),
            hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
            occurredAt: fc.date({ min: new Date(0), max: new Date("2999-01-01"), noInvalidDate: true }),
            category: fc.constantFrom("auth" as const, "db_backup" as const, "device" as const),
          }),
          { maxLength: 20 },
        ),
        (leaves) => {
          expect(decodeLeaves(encodeLeaves(leaves))).toEqual(leaves);
        },
      ),
    );
  });
});
