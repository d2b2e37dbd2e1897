"use client";

import { ShieldAlert, ShieldCheck, ShieldQuestion } from "lucide-react";
import type { SealView } from "@/lib/integrity/seal-view";
import { LocalTime } from "@/components/time/local-time";

/*
 * The entry's seal, as the server found it when it checked the entry's block: the entry's
 * canonical form hashed again, the block's leaves up to its signed root, the signature and the
 * link to the previous block (docs/integrity.md).
 */
export function EntrySeal({ seal }: { seal: SealView }) {
  return (
    <div className="grid gap-2" data-integrity-state={seal.state}>
      <h3 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">Integrity</h3>
      {seal.state === "verified" ? (
        <p className="flex items-start gap-2 text-sm">
          <ShieldCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-emerald-600 dark:text-emerald-400" />
          <span>
            <span className="font-medium">Verified</span>
            <span className="text-muted-foreground">
              {" "}
              in block {seal.block.toLocaleString("en-US")}, sealed <LocalTime iso={seal.sealedAt} />
            </span>
          </span>
        </p>
      ) : seal.state === "pending" ? (
        <p className="flex items-start gap-2 text-sm">
          <ShieldQuestion aria-hidden className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
          <span>
            <span className="font-medium">Not sealed yet</span>
            <span className="text-muted-foreground"> — new entries are sealed within about a minute.</span>
          </span>
        </p>
      ) : seal.state === "failed" ? (
        <div role="alert" className="grid gap-1 rounded-md border border-destructive/40 p-2 text-sm">
          <p className="flex items-start gap-2 font-medium text-destructive">
            <ShieldAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            Integrity check failed
            {seal.block !== null ? ` (block ${seal.block.toLocaleString("en-US")})` : ""}
          </p>
          <ul className="grid list-disc gap-0.5 pl-10 text-xs break-words">
            {seal.problems.map((problem, i) => (
              <li key={i}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">{seal.reason}</p>
      )}
    </div>
  );
}
