/*
 * npm run db:seed -- [--rows N] [--seed S] [--now ISO] [--days D] [--parallel P]
 * Migrates, then seeds the demo accounts and N audit rows (default 20,000) into DATABASE_URL, or
 * into the embedded database under .data/pglite when it is unset. Same seed and --now, same rows.
 */
import { parseArgs } from "node:util";
import { runMigrations } from "@/db/migrate";
import { seedDatabase } from "@/db/seed";
import { openOperatorDatabase } from "./operator-database";

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run db:seed -- [--rows N] [--seed S] [--now ISO-DATE] [--days D] [--parallel SESSIONS]`,
  );
  process.exit(2);
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rows: { type: "string" },
        seed: { type: "string" },
        now: { type: "string" },
        days: { type: "string" },
        parallel: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const rows = wholeNumber("rows", values.rows, 20_000, 0);
  const seed = wholeNumber("seed", values.seed, 42, 0);
  const days = wholeNumber("days", values.days, 400, 1);
  const parallel = wholeNumber("parallel", values.parallel, 2, 1);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) usage(`--now must be an ISO date or date-time, got "${values.now}"`);

  const handle = openOperatorDatabase("db:seed");
  const target = handle.kind === "postgres" ? "DATABASE_URL" : "embedded PGlite";
  try {
    await runMigrations(handle);
    console.log(
      `Seeding ${rows.toLocaleString("en-US")} audit rows (seed ${seed}, now ${now.toISOString()}) into ${target}...`,
    );
    let lastReport = 0;
    const result = await seedDatabase(handle, {
      rows,
      seed,
      now,
      days,
      parallel,
      onProgress: (inserted, total) => {
        const t = performance.now();
        if (inserted < total && t - lastReport < 2000) return;
        lastReport = t;
        console.log(`  ${inserted.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}`);
      },
    });
    const { inserted, ms } = result.audit;
    const rate = ms > 0 ? Math.round((inserted / ms) * 1000) : inserted;
    console.log(
      `Inserted ${inserted.toLocaleString("en-US")} audit rows in ${(ms / 1000).toFixed(1)} s (${rate.toLocaleString("en-US")} rows/s, including ANALYZE).`,
    );
    if (inserted < rows) {
      console.log(`${(rows - inserted).toLocaleString("en-US")} rows were already there: this seed had run before.`);
    }
    console.log(
      "Demo accounts (password demo-password): admin@acme.test, manager@acme.test, member@acme.test, auditor@globex.test",
    );
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
