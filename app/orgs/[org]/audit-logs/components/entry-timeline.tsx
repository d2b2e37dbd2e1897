"use client";

import Link from "next/link";
import { cn } from "@/lib/utils";
import type { TimelineStep } from "@/lib/audit-log/types";
import { LocalTime } from "@/components/time/local-time";
import { ResultBadge } from "./result-badge";

/** The steps sharing a correlation id (pending -> processing -> done/failed), oldest first. */
export function EntryTimeline({
  steps,
  currentId,
  hrefFor,
  onOpen,
}: {
  steps: TimelineStep[];
  currentId: string;
  hrefFor: (id: string) => string;
  onOpen: (id: string) => void;
}) {
  return (
    <ol className="relative grid gap-0" aria-label="Operation timeline">
      {steps.map((step, i) => {
        const current = step.id === currentId;
        return (
          <li key={step.id} className="relative grid grid-cols-[1rem_minmax(0,1fr)] gap-3 pb-3 last:pb-0">
            <span aria-hidden className="relative flex justify-center">
              {i < steps.length - 1 ? <span className="absolute top-3 bottom-[-0.75rem] w-px bg-border" /> : null}
              <span
                className={cn(
                  "relative mt-1.5 size-2.5 rounded-full border-2 bg-background",
                  current ? "border-primary bg-primary" : "border-muted-foreground/50",
                )}
              />
            </span>
            <Link
              prefetch={false}
              href={hrefFor(step.id)}
              scroll={false}
              aria-current={current ? "step" : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
                e.preventDefault();
                onOpen(step.id);
              }}
              className={cn(
                "-mx-1.5 grid min-w-0 gap-1 rounded-md px-1.5 py-1 outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50",
                current && "bg-accent/60",
              )}
            >
              <span className="flex min-w-0 items-center gap-2">
                <ResultBadge result={step.result} />
                <span className="truncate text-sm font-medium">{step.action}</span>
                {current ? <span className="ml-auto shrink-0 text-xs text-muted-foreground">this entry</span> : null}
              </span>
              <LocalTime iso={step.occurredAt} className="font-mono text-xs text-muted-foreground" />
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
