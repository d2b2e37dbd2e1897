import "server-only";

import { getDb, type Executor } from "@/db/client";
import type { Scope } from "@/lib/audit-log/search-params";
import type { SealView } from "./seal-view";
import { getSigningKey } from "./signing-key";
import { verifyEntry } from "./verify";

const SHOWN_PROBLEMS = 5;

/** Checks the entry's block on the server; a check that cannot run says so instead of failing the page. */
export async function entrySealView(
  orgId: string,
  entryId: string,
  scope: Scope,
  db: Executor = getDb(),
): Promise<SealView | null> {
  try {
    const seal = await verifyEntry(
      db,
      orgId,
      entryId,
      getSigningKey(),
      scope === "archive" ? "audit_logs_archive" : "audit_logs",
    );
    if (!seal) return null;
    switch (seal.state) {
      case "verified":
        return { state: "verified", block: seal.seq, sealedAt: seal.sealedAt.toISOString() };
      case "pending":
        return { state: "pending" };
      case "failed": {
        const problems = seal.problems.slice(0, SHOWN_PROBLEMS).map((p) => p.message);
        const more = seal.problems.length - SHOWN_PROBLEMS;
        if (more > 0) problems.push(`and ${more.toLocaleString("en-US")} more`);
        return { state: "failed", block: seal.seq, problems };
      }
    }
  } catch (error) {
    console.error("[audit-console] integrity check of an entry failed to run", error);
    return { state: "unavailable", reason: "The integrity check could not run; try again later." };
  }
}
