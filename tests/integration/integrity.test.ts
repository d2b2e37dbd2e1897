import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { archiveSettings, auditLogs, integrityBlocks, organizations, retentionPolicies } from "@/db/schema";
import type { AuditCategory } from "@/db/schema/enums";
import { headerSignatureValid } from "@/lib/integrity/block";
import { canonicalize, canonicalSelectList, storedIdsDigest, type CanonicalRow } from "@/lib/integrity/canonical";
import { chainReportLines } from "@/lib/integrity/chain-text";
import { entrySealView } from "@/lib/integrity/entry-seal";
import { loadDigests, type Digests } from "@/lib/integrity/digests";
import { sealNewEntries } from "@/lib/integrity/seal";
import { idsDigestOf, sealedRecord } from "@/lib/integrity/sealed-record";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { verifyChain, verifyEntry, type ProblemKind } from "@/lib/integrity/verify";
import { runRetention } from "@/lib/retention/run-retention";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import { rawSearchParams, selectionFromParams } from "@/lib/audit-log/selection";
import { loadChainState } from "@/app/orgs/[org]/settings/integrity/lib/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

/*
 * Sealing and its three checks, on a real database: the viewer's (verifyEntry, one block), the
 * command's (verifyChain and its report) and an API consumer's (the digests: signatures and links
 * checked with the public key alone, then the server's check=1 answer). Each kind of tampering
 * done with SQL must be found by all three; an untouched log must verify, also after retention.
 */

let testDb: TestDatabase;
const db = () => testDb.handle.db;
const key = () => getSigningKey();
const BLOCK = 5;
const T0 = Date.UTC(2026, 9, 1, 12);

interface Fixture {
  orgId: string;
  slug: string;
  /** Entry ids in order of arrival. */
  ids: string[];
}

/** Entries that arrived one second apart, with every kind of field filled in on some of them. */
async function fixture(count = 12, occurredDaysAgo: (i: number) => number = () => 1): Promise<Fixture> {
  const slug = `integrity-${randomUUID().slice(0, 8)}`;
  const [org] = await db().insert(organizations).values({ slug, name: slug }).returning({ id: organizations.id });
  const orgId = org!.id;
  const ids = Array.from({ length: count }, () => randomUUID());
  await db()
    .insert(auditLogs)
    .values(
      ids.map((id, i) => ({
        orgId,
        id,
        occurredAt: new Date(Date.now() - occurredDaysAgo(i) * 86_400_000 + i),
        receivedAt: new Date(T0 + i * 1000),
        category: (i % 2 ? "service" : "auth") as AuditCategory,
        action: i % 3 ? "deploy" : "login",
        result: "done" as const,
        actorId: `u_${i}`,
        actorName: i % 4 ? `Kim ${i}` : null,
        actorEmail: `kim${i}@acme.test`,
        description: `entry ${i} ünïcødé "quoted"`,
        ip: i % 2 ? "203.0.113.7" : "2001:db8::1",
        params: { n: i, big: 12345678901234567890, nested: { b: [1, 2.5, null], a: "x" } },
        before: i % 3 ? null : { version: "1.4.2" },
        after: { version: "1.5.0" },
        idempotencyKey: i % 5 ? null : `key-${i}`,
      })),
    );
  return { orgId, slug, ids };
}

async function sealAll(): Promise<void> {
  await untilClockPassesStoredEntries(testDb.handle.db);
  while ((await sealNewEntries({ blockSize: BLOCK, marginMs: 0 })).entries > 0);
}

/** What an API consumer checks with the answer alone: each signature with the public key, each link. */
function consumerCheck(digests: Digests): string[] {
  const problems: string[] = [];
  const publicKey = key().publicKey;
  let prev: string | null = null;
  for (const block of digests.blocks) {
    if (!headerSignatureValid(block.header, block.signature, publicKey)) problems.push(`block ${block.seq}: signature`);
    const header = JSON.parse(block.header) as { prev: string; seq: number };
    if (prev !== null && header.prev !== prev) problems.push(`block ${block.seq}: link`);
    prev = block.blockHash;
  }
  for (const p of digests.check?.problems ?? []) problems.push(`block ${p.block}: ${p.kind} ${p.entry ?? ""}`);
  return problems;
}

interface Findings {
  viewer: ProblemKind[];
  command: { ok: boolean; firstLine: string; kinds: ProblemKind[] };
  consumer: string[];
}

async function findings(f: Fixture, viewEntry: string): Promise<Findings> {
  const seal = await verifyEntry(db(), f.orgId, viewEntry, key());
  const report = await verifyChain(db(), f.orgId, key());
  const text = chainReportLines(f.slug, report);
  const digests = await loadDigests(db(), { id: f.orgId, slug: f.slug }, key(), { check: true });
  return {
    viewer: seal?.state === "failed" ? seal.problems.map((p) => p.kind) : [],
    command: {
      ok: text.ok,
      firstLine: text.lines.find((l) => l.startsWith("FAILED")) ?? "",
      kinds: report.problems.map((p) => p.kind),
    },
    consumer: consumerCheck(digests),
  };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

describe("sealing", () => {
  it("seals every entry once, in blocks of at most the block size, chained and signed", async () => {
    const f = await fixture(12);
    await sealAll();
    const blocks = await db()
      .select()
      .from(integrityBlocks)
      .where(eq(integrityBlocks.orgId, f.orgId))
      .orderBy(integrityBlocks.seq);
    expect(blocks.map((b) => b.entryCount)).toEqual([5, 5, 2]);
    expect(blocks.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(blocks[0]!.prevHash).toBe("0".repeat(64));
    expect(blocks[1]!.prevHash).toBe(blocks[0]!.blockHash);
    expect(blocks[0]!.firstEntryId).toBe(f.ids[0]);
    expect(blocks[2]!.lastEntryId).toBe(f.ids[11]);

    const report = await verifyChain(db(), f.orgId, key());
    expect(report.problems).toEqual([]);
    expect(report.blocks.reduce((s, b) => s + b.verified, 0)).toBe(12);
    const seal = await verifyEntry(db(), f.orgId, f.ids[7]!, key());
    expect(seal).toMatchObject({ state: "verified", seq: 2 });
    expect(chainReportLines(f.slug, report)).toMatchObject({ ok: true });
    expect(consumerCheck(await loadDigests(db(), { id: f.orgId, slug: f.slug }, key(), { check: true }))).toEqual([]);
  });

  it("gives the database's digest of a block's stored ids as the sealed record's, and another once two swap", async () => {
    // The details view compares these two instead of reading the block's ids (verify.ts).
    const f = await fixture(10);
    await sealAll();
    const [block] = await db()
      .select()
      .from(integrityBlocks)
      .where(and(eq(integrityBlocks.orgId, f.orgId), eq(integrityBlocks.seq, 2)));
    const first = { receivedAt: block!.firstReceivedAt, id: block!.firstEntryId };
    const last = { receivedAt: block!.lastReceivedAt, id: block!.lastEntryId };
    const record = sealedRecord(block!.leaves);
    expect(record.idsDigest).toBe(idsDigestOf(f.ids.slice(5, 10)));
    expect(await storedIdsDigest(db(), f.orgId, first, last)).toBe(record.idsDigest);
    const [a, b] = [f.ids[6]!, f.ids[7]!];
    await db().execute(sql`
      update audit_logs set received_at = case id when ${a}::uuid then ${new Date(T0 + 7000).toISOString()}::timestamptz
                                                  else ${new Date(T0 + 6000).toISOString()}::timestamptz end
      where id in (${a}::uuid, ${b}::uuid)`);
    expect(await storedIdsDigest(db(), f.orgId, first, last)).not.toBe(record.idsDigest);
  });

  it("says 'not sealed yet' for an entry newer than the last block", async () => {
    const f = await fixture(3);
    await sealAll();
    const [late] = await db()
      .insert(auditLogs)
      .values({ orgId: f.orgId, occurredAt: new Date(), category: "auth", action: "login", result: "done" })
      .returning({ id: auditLogs.id });
    expect(await verifyEntry(db(), f.orgId, late!.id, key())).toEqual({ state: "pending" });
  });
});

describe("tampering is found by the viewer, the command and the API consumer", () => {
  it("finds one field of one stored entry changed with SQL", async () => {
    const f = await fixture();
    await sealAll();
    const target = f.ids[6]!;
    await db().execute(sql`update audit_logs set description = 'nothing happened' where id = ${target}::uuid`);
    const found = await findings(f, target);
    expect(found.viewer[0]).toBe("changed");
    expect(found.command.ok).toBe(false);
    expect(found.command.firstLine).toContain(`FAILED at block 2, entry ${target}`);
    expect(found.consumer).toEqual([`block 2: changed ${target}`]);
  });

  it("finds one entry deleted", async () => {
    const f = await fixture();
    await sealAll();
    const target = f.ids[2]!;
    await db().execute(sql`delete from audit_logs where id = ${target}::uuid`);
    // The viewer shows a neighbour of the deleted entry: its block no longer holds.
    const found = await findings(f, f.ids[3]!);
    expect(found.viewer).toEqual(["missing"]);
    expect(found.command.firstLine).toContain(`FAILED at block 1, entry ${target}`);
    expect(found.consumer).toEqual([`block 1: missing ${target}`]);
  });

  it("finds one forged entry inserted among sealed ones, and one inserted between blocks", async () => {
    const f = await fixture();
    await sealAll();
    const forged = randomUUID();
    await db().execute(sql`
      insert into audit_logs (org_id, id, occurred_at, received_at, category, action, result)
      values (${f.orgId}::uuid, ${forged}::uuid, now(), ${new Date(T0 + 7500).toISOString()}::timestamptz, 'auth', 'login', 'done')`);
    const found = await findings(f, forged);
    expect(found.viewer[0]).toBe("inserted");
    expect(found.command.firstLine).toContain(`FAILED at block 2, entry ${forged}`);
    expect(found.consumer).toEqual([`block 2: inserted ${forged}`]);

    const between = randomUUID();
    // After block 1's last entry (second 4) and before block 2's first (second 5).
    await db().execute(sql`
      insert into audit_logs (org_id, id, occurred_at, received_at, category, action, result)
      values (${f.orgId}::uuid, ${between}::uuid, now(), ${new Date(T0 + 4500).toISOString()}::timestamptz, 'auth', 'login', 'done')`);
    const again = await findings(f, between);
    expect(again.viewer[0]).toBe("inserted");
    expect(again.command.firstLine).toContain(`FAILED at block 2, entry ${between}`);
    expect(again.consumer).toContain(`block 2: inserted ${between}`);
  });

  it("finds two entries reordered", async () => {
    const f = await fixture();
    await sealAll();
    // Entries 6 and 7 (seconds 6 and 7), inside block 2 (entries 5-9), swap their times of arrival.
    const [a, b] = [f.ids[6]!, f.ids[7]!];
    await db().execute(sql`
      update audit_logs set received_at = case id when ${a}::uuid then ${new Date(T0 + 7000).toISOString()}::timestamptz
                                                  else ${new Date(T0 + 6000).toISOString()}::timestamptz end
      where id in (${a}::uuid, ${b}::uuid)`);
    const found = await findings(f, a);
    expect(found.viewer).toContain("reordered");
    expect(found.command.ok).toBe(false);
    expect(found.command.kinds).toContain("reordered");
    expect(found.command.firstLine).toContain("FAILED at block 2");
    expect(found.consumer.some((p) => p.startsWith("block 2: reordered"))).toBe(true);
  });

  it("finds a block rewritten: its signature and the next block's link", async () => {
    const f = await fixture();
    await sealAll();
    await db().execute(sql`update integrity_blocks set entry_count = 4 where org_id = ${f.orgId}::uuid and seq = 1`);
    const found = await findings(f, f.ids[0]!);
    expect(found.viewer).toContain("header");
    expect(found.command.firstLine).toContain("FAILED at block 1");
    expect(found.consumer).toContain("block 1: signature");
  });
});

describe("retention and archive", () => {
  it("verifies an untouched log after a retention run, saying which entries retention removed", async () => {
    // Entries 0-5 occurred 200 days ago, the others yesterday; service and auth alternate.
    const f = await fixture(12, (i) => (i < 6 ? 200 : 1));
    await sealAll();
    await db()
      .insert(retentionPolicies)
      .values([{ orgId: f.orgId, category: "service", days: 30 }]);
    await runRetention(testDb.handle, { audit: false });
    const left = await db().select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.orgId, f.orgId));
    expect(left.length).toBe(9); // the 3 old service entries are gone

    const report = await verifyChain(db(), f.orgId, key());
    expect(report.problems).toEqual([]);
    expect(report.blocks.reduce((s, b) => s + b.removedByRetention, 0)).toBe(3);
    const { lines, ok } = chainReportLines(f.slug, report);
    expect(ok).toBe(true);
    expect(lines.join("\n")).toMatch(/3 sealed entries were removed by retention up to \d{4}-/);
    expect(await verifyEntry(db(), f.orgId, f.ids[0]!, key())).toMatchObject({ state: "verified" });

    // Deleting a recent entry is still tampering: retention does not explain it.
    await db().execute(sql`delete from audit_logs where id = ${f.ids[9]!}::uuid`);
    const after = await verifyChain(db(), f.orgId, key());
    expect(after.firstProblem).toMatchObject({ kind: "missing", entryId: f.ids[9] });
  });

  it("keeps the seals of archived entries, which verify from the archive", async () => {
    const f = await fixture(12, (i) => (i < 6 ? 200 : 1));
    await sealAll();
    await db()
      .insert(retentionPolicies)
      .values([{ orgId: f.orgId, category: "service", days: 30 }]);
    await db().insert(archiveSettings).values({ orgId: f.orgId, enabled: true });
    await runRetention(testDb.handle, { audit: false });
    const report = await verifyChain(db(), f.orgId, key());
    expect(report.problems).toEqual([]);
    expect(report.blocks.reduce((s, b) => s + b.archived, 0)).toBe(3);
    expect(await verifyEntry(db(), f.orgId, f.ids[1]!, key(), "audit_logs_archive")).toMatchObject({
      state: "verified",
      seq: 1,
    });

    // What the archive view's details show for it: the explorer's data for scope=archive.
    const { selection } = selectionFromParams(
      f.orgId,
      rawSearchParams(`scope=archive&period=custom&from=2020-01-01&entry=${f.ids[1]!}`),
      new Date(),
    );
    const view = await loadExplorer(selection);
    expect(view.selected?.details.id).toBe(f.ids[1]);
    expect(view.selected?.seal).toMatchObject({ state: "verified", block: 1 });
    // The blocks that hold archived entries stay: nothing of them is gone.
    const blocks = await db()
      .select({ seq: integrityBlocks.seq })
      .from(integrityBlocks)
      .where(eq(integrityBlocks.orgId, f.orgId));
    expect(blocks.map((b) => b.seq).sort()).toEqual([1, 2, 3]);

    await db().execute(sql`update audit_logs_archive set action = 'edited' where id = ${f.ids[1]!}::uuid`);
    const seal = await verifyEntry(db(), f.orgId, f.ids[1]!, key(), "audit_logs_archive");
    expect(seal).toMatchObject({ state: "failed", problems: [{ kind: "changed", entryId: f.ids[1] }] });
    expect(await entrySealView(f.orgId, f.ids[1]!, "archive")).toMatchObject({ state: "failed", block: 1 });
  });

  it("after a run that drops old partitions, starts verification at the first kept block and says so", async () => {
    // f: entries 0-9 occurred 400 days ago, past every default retention, so their month's
    // partition is dropped whole; blocks 1 and 2 hold nothing else, block 3 holds entries 10-11.
    // The runs above dropped that month's partition while it was empty: it comes back first.
    await db().execute(
      sql`select audit_ensure_partitions('audit_logs', (now() - interval '14 months')::date, (now() + interval '3 months')::date)`,
    );
    const f = await fixture(12, (i) => (i < 10 ? 400 : 1));
    // g: the same, but entry 7 (block 2) is recent and deleted by hand: retention does not explain
    // it, so block 2 stays as the evidence, and the chain starts there.
    const g = await fixture(12, (i) => (i < 10 && i !== 7 ? 400 : 1));
    await sealAll();
    await db().execute(sql`delete from audit_logs where id = ${g.ids[7]!}::uuid`);
    const run = await runRetention(testDb.handle, { audit: false });
    expect(run.partitionsDropped.length).toBeGreaterThan(0);
    expect(run.orgs.find((o) => o.orgId === f.orgId)?.sealedBlocks).toEqual({ removed: 2, firstKept: 3 });
    expect(run.orgs.find((o) => o.orgId === g.orgId)?.sealedBlocks).toEqual({ removed: 1, firstKept: 2 });
    const seqs = await db()
      .select({ seq: integrityBlocks.seq })
      .from(integrityBlocks)
      .where(eq(integrityBlocks.orgId, f.orgId));
    expect(seqs.map((b) => b.seq)).toEqual([3]);

    const said =
      "Verification starts at block 3, the first kept block: blocks 1–2 were removed by retention once all their entries had expired.";
    // The command.
    const report = await verifyChain(db(), f.orgId, key());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      firstSeq: 3,
      startsAfterRemoved: true,
      start: { firstKept: 3, removed: 2, byRetention: true },
    });
    const { lines, ok } = chainReportLines(f.slug, report);
    expect(ok).toBe(true);
    expect(lines.join("\n")).toContain(said);
    // The viewer.
    expect(await verifyEntry(db(), f.orgId, f.ids[10]!, key())).toMatchObject({ state: "verified", seq: 3 });
    // The API, and its consumer's check.
    const digests = await loadDigests(db(), { id: f.orgId, slug: f.slug }, key(), { check: true });
    expect(digests.chainStart).toMatchObject({ firstKeptBlock: 3, removedBlocks: 2, byRetention: true });
    expect(digests.chainStart?.message).toContain(said);
    expect(digests.blocks.map((b) => b.seq)).toEqual([3]);
    expect(consumerCheck(digests)).toEqual([]);
    // The integrity page, for a period around the entries' arrival.
    const page = await loadChainState(f.orgId, { from: new Date(T0 - 86_400_000), to: new Date(T0 + 86_400_000) });
    expect(page.problems).toEqual([]);
    expect(page.chainStart).toContain(said);

    // g: block 2 is kept, and its deleted entry is still found.
    const gReport = await verifyChain(db(), g.orgId, key());
    expect(gReport.start).toMatchObject({ firstKept: 2, removed: 1, byRetention: true });
    expect(gReport.firstProblem).toMatchObject({ kind: "missing", blockSeq: 2, entryId: g.ids[7] });

    // A forged entry dated before the first kept block is in no block: found.
    const forged = randomUUID();
    await db().execute(sql`
      insert into audit_logs (org_id, id, occurred_at, received_at, category, action, result)
      values (${f.orgId}::uuid, ${forged}::uuid, now(), ${new Date(T0 + 2500).toISOString()}::timestamptz, 'auth', 'login', 'done')`);
    expect((await verifyChain(db(), f.orgId, key())).firstProblem).toMatchObject({ kind: "inserted", entryId: forged });
  });

  it("fails a chain whose first blocks are gone when no retention run explains it", async () => {
    // No retention run has covered this organization yet: it is made after the runs above.
    const f = await fixture(12);
    await sealAll();
    await db().execute(sql`delete from retention_applied where org_id = ${f.orgId}::uuid`);
    await db().execute(sql`delete from integrity_blocks where org_id = ${f.orgId}::uuid and seq = 1`);
    await db().execute(sql`delete from audit_logs where id = any(${`{${f.ids.slice(0, 5).join(",")}}`}::uuid[])`);
    const report = await verifyChain(db(), f.orgId, key());
    expect(report.firstProblem).toMatchObject({ kind: "link", blockSeq: 2 });
    const { lines, ok } = chainReportLines(f.slug, report);
    expect(ok).toBe(false);
    expect(lines.join("\n")).toContain(
      "Verification starts at block 2, the first kept block: block 1 is missing, and no retention run has removed entries of this organization.",
    );
  });
});

describe("the canonical form", () => {
  it("is the same for the same row read twice, and documents every column of audit_logs", async () => {
    const f = await fixture(3);
    const read = () =>
      queryRows<CanonicalRow>(
        db(),
        sql`select ${canonicalSelectList()} from audit_logs where org_id = ${f.orgId}::uuid order by received_at, id`,
      );
    const [first, second] = [await read(), await read()];
    expect(first.map(canonicalize)).toEqual(second.map(canonicalize));
    const columns = await queryRows<{ column_name: string }>(
      db(),
      sql`select column_name from information_schema.columns where table_name = 'audit_logs' order by ordinal_position`,
    );
    expect(Object.keys(first[0]!)).toEqual(columns.map((c) => c.column_name));
  });
});
