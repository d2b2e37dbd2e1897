import "server-only";

import { and, asc, eq, sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle, type Executor } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import type { ExportFormat } from "@/db/schema/enums";
import { selectionWhere } from "@/lib/audit-log/where";
import { exportTable, type ExportSelection } from "@/lib/exports/export-query";
import { ExportAbortedError, ExportIncompleteError, type ExportProgress } from "@/lib/exports/stream-export";
import { blockHeader } from "./block";
import { canonicalize, canonicalSelectList, type CanonicalRow } from "./canonical";
import { leafHash } from "./merkle";
import type { BlockRow } from "./verify";
import type { SigningKey } from "./signing-key";

/*
 * The digests of an export (docs/integrity.md, "Checking an export"): an NDJSON file downloaded
 * beside the exported file, holding what an auditor needs to tie every exported entry to a signed
 * block with standard tools, and nothing the auditor has to take on trust:
 *
 *   {"type":"export", ...}   what was exported (file name, format, search, snapshot, rows)
 *   {"type":"key", ...}      the public key (compare it with a copy kept elsewhere)
 *   {"type":"block", ...}    each block holding an exported entry: its signed header, hash,
 *                            signature and whole record of leaves (base64), once, before its entries
 *   {"type":"entry", ...}    each exported entry: its canonical form, leaf hash and block, or
 *                            block null when it is not sealed yet
 *   {"type":"summary", ...}  the counts; a file without it was cut short
 *
 * Entries go in order of arrival, the blocks' order, so each block is read once. The canonical
 * form is read again from the database, by the export's own selection and snapshot: a stored
 * entry changed after its seal gives a leaf that its block's signed record does not hold, and the
 * auditor's check fails on it. The file is read in keyset pages of the arrival order, on either
 * database, so memory stays at one page and one block.
 */

export interface ExportDigestsJob {
  selection: ExportSelection;
  /** The rows the export was counted at; the digests must list exactly these. */
  expectedRows: number;
  organization: string;
  fileName: string;
  format: ExportFormat;
  /** The explorer's search params of the export, as stored with its token. */
  search: string;
}

/** The digests file name for an exported file: the file's own name, then `.digests.ndjson`. */
export function digestsFileName(exportFileName: string): string {
  return `${exportFileName}.digests.ndjson`;
}

const PAGE_ROWS = 2000;

type Keyed = CanonicalRow & { id: string; received_at: string };

async function page(db: Executor, selection: ExportSelection, after: Keyed | null, rows: number): Promise<Keyed[]> {
  const t = exportTable(selection);
  const where = selectionWhere(t, selection);
  const keyset = after
    ? sql`and (${t.receivedAt}, ${t.id}) > (${after.received_at}::timestamptz, ${after.id}::uuid)`
    : sql``;
  // The ORDER BY names the table's columns: the bare names are the select list's text forms.
  return queryRows<Keyed>(
    db,
    sql`select ${canonicalSelectList()} from ${t} where ${where} ${keyset}
        order by ${t.receivedAt}, ${t.id} limit ${rows}`,
  );
}

/** The block that seals an entry, if any: the first whose last entry is at or after it in arrival order. */
async function blockAtOrAfter(db: Executor, orgId: string, entry: Keyed): Promise<BlockRow | null> {
  const [block] = await db
    .select()
    .from(integrityBlocks)
    .where(
      and(
        eq(integrityBlocks.orgId, orgId),
        sql`(${integrityBlocks.lastReceivedAt}, ${integrityBlocks.lastEntryId}) >= (${entry.received_at}::timestamptz, ${entry.id}::uuid)`,
      ),
    )
    .orderBy(asc(integrityBlocks.lastReceivedAt), asc(integrityBlocks.lastEntryId))
    .limit(1);
  return block ?? null;
}

function after(block: BlockRow, entry: Keyed): boolean {
  const at = Date.parse(entry.received_at);
  const last = block.lastReceivedAt.getTime();
  return at > last || (at === last && entry.id > block.lastEntryId);
}

const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`, "utf8");

/** The digests file, as byte chunks; throws mid-file when it cannot list exactly the counted rows. */
export async function* exportDigestChunks(
  handle: DatabaseHandle,
  job: ExportDigestsJob,
  key: SigningKey,
  options: { signal?: AbortSignal; progress?: ExportProgress; batchRows?: number } = {},
): AsyncGenerator<Uint8Array> {
  const progress = options.progress ?? { rows: 0, bytes: 0 };
  const db = handle.db;
  const { selection } = job;
  const emit = (chunk: Buffer) => {
    progress.bytes += chunk.length;
    return chunk;
  };
  yield emit(
    Buffer.concat([
      line({
        type: "export",
        version: 1,
        organization: job.organization,
        file: job.fileName,
        format: job.format,
        scope: selection.params.scope,
        search: job.search,
        snapshotAt: selection.snapshotAt.toISOString(),
        rows: job.expectedRows,
      }),
      line({ type: "key", algorithm: "Ed25519", keyId: key.keyId, pem: key.publicKeyPem, raw: key.publicKeyRaw }),
    ]),
  );

  let block: BlockRow | null = null;
  // No block seals anything after this entry: every later one is not sealed yet either.
  let pastLastBlock = false;
  let blocks = 0;
  let sealed = 0;
  let cursor: Keyed | null = null;
  for (;;) {
    if (options.signal?.aborted) throw new ExportAbortedError();
    const rows = await page(db, selection, cursor, options.batchRows ?? PAGE_ROWS);
    if (rows.length === 0) break;
    const out: Buffer[] = [];
    for (const row of rows) {
      if (!pastLastBlock && (!block || after(block, row))) {
        block = await blockAtOrAfter(db, selection.orgId, row);
        if (block) {
          blocks += 1;
          out.push(
            line({
              type: "block",
              seq: block.seq,
              header: blockHeader(block),
              blockHash: block.blockHash,
              signature: block.signature,
              leaves: block.leaves.toString("base64"),
            }),
          );
        } else pastLastBlock = true;
      }
      const canonical = canonicalize(row);
      const seq = pastLastBlock ? null : block!.seq;
      if (seq !== null) sealed += 1;
      out.push(line({ type: "entry", id: row.id, block: seq, leaf: leafHash(canonical).toString("hex"), canonical }));
    }
    progress.rows += rows.length;
    yield emit(Buffer.concat(out));
    cursor = rows[rows.length - 1]!;
    if (rows.length < (options.batchRows ?? PAGE_ROWS)) break;
  }
  if (progress.rows !== job.expectedRows) {
    throw new ExportIncompleteError(job.expectedRows, progress.rows);
  }
  yield emit(line({ type: "summary", entries: progress.rows, sealed, unsealed: progress.rows - sealed, blocks }));
}
