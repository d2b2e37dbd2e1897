import "server-only";

import type { ChainReport } from "./verify";

const n = (v: number) => v.toLocaleString("en-US");

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
  if (report.startsAfterRemoved) {
    lines.push(`The chain starts at block ${n(report.firstSeq!)}: the blocks before it were removed.`);
  }
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
