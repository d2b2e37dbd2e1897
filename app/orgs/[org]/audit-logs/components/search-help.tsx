"use client";

import { CircleHelp } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { SEARCH_QUALIFIERS } from "@/lib/audit-log/search-language";

/** The search language at a glance; clicking an example adds it to the search. */
export function SearchHelp({ onExample }: { onExample: (example: string) => void }) {
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button type="button" variant="ghost" size="icon" aria-label="Search syntax help" title="Search syntax">
          <CircleHelp aria-hidden />
        </Button>
      </PopoverTrigger>
      <PopoverContent
        align="end"
        className="max-h-(--radix-popover-content-available-height) w-[min(34rem,calc(100vw-2rem))] overflow-y-auto p-0"
      >
        <div className="grid gap-1 border-b p-4">
          <h2 className="text-sm font-semibold">Search syntax</h2>
          <p className="text-xs leading-relaxed text-muted-foreground">
            Free words match anywhere in the actor&apos;s name or email, the target, the IP address and the description,
            or the start of the request id, ignoring case. A word of one or two letters does the same beside a longer
            word (<code className="font-mono">sign in</code>); on its own it matches the start of the actor&apos;s email
            or the target&apos;s name, so that it stays fast. Use{" "}
            <code className="font-mono">&quot;quoted phrases&quot;</code> to match words together,{" "}
            <code className="font-mono">-</code> before a qualifier to exclude it. Different qualifiers must all match;
            the same qualifier twice means either value.
          </p>
        </div>
        <ul className="divide-y">
          {SEARCH_QUALIFIERS.map((q) => (
            <li key={q.key} className="grid gap-1 px-4 py-2.5">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <code className="font-mono text-sm font-medium">{q.key}:</code>
                {q.aliases.length > 0 ? (
                  <span className="text-xs text-muted-foreground">also {q.aliases.map((a) => `${a}:`).join(", ")}</span>
                ) : null}
              </div>
              <p className="text-xs text-muted-foreground">{q.description}</p>
              <button
                type="button"
                onClick={() => onExample(q.example)}
                className="w-fit rounded bg-muted px-1.5 py-0.5 text-left font-mono text-xs outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
                title="Add to the search"
              >
                {q.example}
              </button>
            </li>
          ))}
          <li className="grid gap-1 px-4 py-2.5">
            <p className="text-xs text-muted-foreground">Combined</p>
            <button
              type="button"
              onClick={() => onExample("action:delete resource:my-service")}
              className="w-fit rounded bg-muted px-1.5 py-0.5 text-left font-mono text-xs outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              title="Add to the search"
            >
              action:delete resource:my-service
            </button>
          </li>
        </ul>
      </PopoverContent>
    </Popover>
  );
}
