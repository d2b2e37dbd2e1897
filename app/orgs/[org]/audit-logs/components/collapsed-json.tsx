"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { CollapsedJson } from "@/lib/audit-log/types";

const REASON = {
  deep: "This value nests too deep to show whole; the first levels are shown.",
  large: "This value is too large to show whole; the first entries are shown.",
} as const;

/** A deep or large JSON value: its outline, and its raw text on request (cut at a limit). */
export function CollapsedJsonBlock({ view, label }: { view: CollapsedJson; label: string }) {
  const [showRaw, setShowRaw] = useState(false);
  return (
    <div className="grid gap-2" data-collapsed-json={view.reason}>
      <p className="text-xs text-muted-foreground">{REASON[view.reason]}</p>
      <pre
        aria-label={label}
        tabIndex={0}
        className="max-h-72 overflow-auto rounded-md border bg-muted/60 p-3 font-mono text-xs leading-relaxed whitespace-pre outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {view.outline}
      </pre>
      <Button
        type="button"
        variant="ghost"
        size="sm"
        className="justify-self-start px-2"
        aria-expanded={showRaw}
        onClick={() => setShowRaw((v) => !v)}
      >
        {showRaw ? "Hide raw JSON" : "Show raw JSON"}
      </Button>
      {showRaw ? (
        <div className="grid gap-1">
          <pre
            aria-label={`${label} (raw JSON)`}
            tabIndex={0}
            className="max-h-72 overflow-auto rounded-md border bg-muted/60 p-3 font-mono text-xs break-all whitespace-pre-wrap outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            {view.raw}
          </pre>
          {view.rawComplete ? null : (
            <p className="text-xs text-muted-foreground">
              Cut at {view.raw.length.toLocaleString("en-US")} characters; the export holds the whole value.
            </p>
          )}
        </div>
      ) : null}
    </div>
  );
}
