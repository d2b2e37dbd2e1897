/*
 * npm run retention -- [--batch-size N] [--pause-ms MS]
 * Applies every organization's retention policy once (DATABASE_URL, or the embedded database).
 * For cron, e.g. hourly: `17 * * * * cd /srv/audit-console && npm run retention >> /var/log/audit-retention.log 2>&1`
 * Exit code 0 when done or when another run already holds the lock, 1 on failure, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";
import { runRetention, type OrgRunReport } from "@/lib/retention/run-retention";
import { openOperatorDatabase } from "./operator-database";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run retention -- [--batch-size N] [--pause-ms MS]`);
  process.exit(2);
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

const n = (v: number) => v.toLocaleString("en-US");

function orgLine(report: OrgRunReport): string {
  const t = report.totals;
  const detail = Object.entries(report.counts)
    .filter(([, c]) => c.deleted + c.archived + c.archivePurged > 0)
    .map(([category, c]) => {
      const parts = [
        c.deleted && `${n(c.deleted)} deleted`,
        c.archived && `${n(c.archived)} archived`,
        c.archivePurged && `${n(c.archivePurged)} purged`,
      ];
      return `    ${CATEGORY_LABELS[category as keyof typeof CATEGORY_LABELS]}: ${parts.filter(Boolean).join(", ")}`;
    });
  const head = `  ${report.slug} (${report.archiveEnabled ? "archive on" : "archive off"}): ${n(t.deleted)} deleted, ${n(t.archived)} archived, ${n(t.archivePurged)} purged from the archive`;
  return [head, ...detail].join("\n");
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { "batch-size": { type: "string" }, "pause-ms": { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const batchSize = wholeNumber("batch-size", values["batch-size"], 5000, 1);
  const pauseMs = wholeNumber("pause-ms", values["pause-ms"], 0, 0);

  const handle = openOperatorDatabase("retention", {
    maxConnections: 2,
    whileRunning: "With the console running, set RETENTION_SCHEDULE to let it apply the policies itself.",
  });
  const controller = new AbortController();
  // Ctrl-C stops between batches; a harder kill is safe too, only slower to recover from.
  const stop = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const report = await runRetention(handle, { batchSize, pauseMs, signal: controller.signal });
    if (report.status === "skipped") {
      console.log(`Retention run skipped: ${report.reason}.`);
      return;
    }
    console.log(
      `Retention run over ${report.orgs.length} organizations in ${(report.ms / 1000).toFixed(1)} s (${n(report.batches)} batches):`,
    );
    for (const org of report.orgs) {
      console.log(orgLine(org));
      if (org.sealedBlocks?.removed)
        console.log(
          `  ${n(org.sealedBlocks.removed)} sealed blocks removed (all their entries are gone); the chain now starts at block ${n(org.sealedBlocks.firstKept ?? 0)}`,
        );
    }
    if (report.partitionsDropped.length) console.log(`Dropped partitions: ${report.partitionsDropped.join(", ")}`);
    if (report.partitionsKept.length)
      console.log(`Kept (lock busy, emptied row by row): ${report.partitionsKept.join(", ")}`);
    if (report.unownedRowsDropped)
      console.log(`Rows of deleted organizations dropped with partitions: ${n(report.unownedRowsDropped)}`);
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  console.error("Retention run failed; running it again continues where it stopped.");
  console.error(err);
  process.exit(1);
});
