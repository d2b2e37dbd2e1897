/*
 * npm run integrity:verify -- --org SLUG [--from DATE] [--to DATE]
 * Checks the organization's sealed blocks whose entries arrived in the period (all by default):
 * each block's hash and Ed25519 signature, its link to the block before, its entries against
 * their sealed hashes, and that no entry sits outside the blocks. Exit code 0 when all matches,
 * 1 naming the first bad block and entry, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { organizations } from "@/db/schema";
import { chainReportLines } from "@/lib/integrity/chain-text";
import { parseRangeParam } from "@/lib/integrity/range";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { verifyChain } from "@/lib/integrity/verify";
import { openOperatorDatabase } from "./operator-database";

const USAGE = "usage: npm run integrity:verify -- --org SLUG [--from DATE] [--to DATE]";

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { org: { type: "string" }, from: { type: "string" }, to: { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  if (!values.org) usage("--org is required");
  const from = parseRangeParam(values.from, "from");
  const to = parseRangeParam(values.to, "to");
  if (!from.ok) usage(`--${from.message}`);
  if (!to.ok) usage(`--${to.message}`);

  const handle = openOperatorDatabase("integrity:verify", {
    maxConnections: 2,
    whileRunning: "Stop the console first, or check one entry in its details view.",
  });
  try {
    const [org] = await handle.db
      .select({ id: organizations.id, slug: organizations.slug })
      .from(organizations)
      .where(eq(organizations.slug, values.org));
    if (!org) {
      console.error(`No organization with the slug "${values.org}".`);
      process.exitCode = 1;
      return;
    }
    const report = await verifyChain(handle.db, org.id, getSigningKey(), {
      ...(from.value ? { from: from.value } : {}),
      ...(to.value ? { to: to.value } : {}),
    });
    const { lines, ok } = chainReportLines(org.slug, report);
    for (const line of lines) (ok ? console.log : console.error)(line);
    if (!ok) process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  console.error("The integrity check could not run.");
  console.error(err);
  process.exit(1);
});
