import "server-only";

import { removedBlocksText, type ChainReport, type ChainStart } from "./verify";

const n = (v: number) => v.toLocaleString("en-US");

/**
 * The sentence the command, the integrity page and the API say when the chain's first blocks are
 * gone: where verification starts, and why.
 */
export function chainStartText(start: ChainStart): string {
  const before = start.firstKept - 1;
  const where = `Verification starts at block ${n(start.firstKept)}, the first kept block`;
  if (!start.byRetention) {
    return `${where}: ${removedBlocksText(start)} missing, and no retention run has removed entries of this organization.`;
  }
  return `${where}: ${start.removed === 1 ? "block 1 was" : `blocks 1–${n(before)} were`} removed by retention once all their entries had expired. Block ${n(start.firstKept)}'s link to block ${n(before)} can only be checked against a kept copy of the digests.`;
}

/**
 * What `npm run integrity:verify` prints: one summary, the retention note, and the first bad block
 * and entry (then the others, up to a few). The exit code is 1 when anything failed.
 */
export function chainReportLines(slug: string, report: ChainReport): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  if (report.blocks.length === 0) {
    lines.push(`${slug}: no sealed blocks in the period.`);
    return { lines, ok: true };
  }
  const sum = (pick: (b: ChainReport["blocks"][number]) => number) => report.blocks.reduce((s, b) => s + pick(b), 0);
  const entries = sum((b) => b.count);
  lines.push(
    `${slug}: checked blocks ${n(report.firstSeq!)}–${n(report.lastSeq!)} (${n(report.blocks.length)} blocks, ${n(entries)} sealed entries): ${n(sum((b) => b.verified))} verified, ${n(sum((b) => b.archived))} verified in the archive.`,
  );
  if (report.start) lines.push(chainStartText(report.start));
  const removed = sum((b) => b.removedByRetention);
  if (removed > 0) {
    const cutoff = report.blocks.reduce<Date | null>(
      (max, b) => (b.retentionCutoff && (!max || b.retentionCutoff > max) ? b.retentionCutoff : max),
      null,
    );
    lines.push(
      `${n(removed)} sealed entries were removed by retention up to ${cutoff!.toISOString()} (not tampering).`,
    );
  }
  const first = report.firstProblem;
  if (!first) {
    lines.push("OK: every block, signature, link and entry matches.");
    return { lines, ok: true };
  }
  lines.push(
    `FAILED at block ${n(first.blockSeq)}${first.entryId ? `, entry ${first.entryId}` : ""}: ${first.message}`,
  );
  const rest = report.problems.slice(1, 20);
  for (const p of rest) lines.push(`  also: ${p.message}`);
  if (report.problems.length > 20) lines.push(`  and ${n(report.problems.length - 20)} more problems`);
  return { lines, ok: false };
}
