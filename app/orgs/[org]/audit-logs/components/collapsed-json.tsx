"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { CollapsedJson } from "@/lib/audit-log/types";
import { JsonText } from "./json-text";

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
      <JsonText label={label} text={view.outline} wrap="pre" />
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
          <JsonText label={`${label} (raw JSON)`} text={view.raw} wrap="anywhere" />
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
