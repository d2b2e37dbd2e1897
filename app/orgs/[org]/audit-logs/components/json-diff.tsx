"use client";

import { Minus, PencilLine, Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import type { JsonValue } from "@/lib/audit-log/types";
import { diffJson, jsonText, type DiffKind, type DiffLine } from "./json-diff-model";

const KIND_STYLE: Record<Exclude<DiffKind, "unchanged">, { label: string; icon: typeof Plus; className: string }> = {
  added: { label: "Added", icon: Plus, className: "text-success bg-success/10" },
  removed: { label: "Removed", icon: Minus, className: "text-destructive bg-destructive/10 dark:text-red-300" },
  changed: { label: "Changed", icon: PencilLine, className: "text-info bg-info/10 dark:text-blue-300" },
};

function Value({ value, strike }: { value: JsonValue | undefined; strike?: boolean }) {
  return (
    <code
      className={cn(
        "font-mono text-xs break-all whitespace-pre-wrap",
        strike && "text-muted-foreground line-through decoration-1",
      )}
    >
      {jsonText(value)}
    </code>
  );
}

function Line({ line }: { line: DiffLine }) {
  if (line.kind === "unchanged") {
    return (
      <li className="grid gap-0.5 px-3 py-1.5">
        <span className="font-mono text-xs break-all text-muted-foreground">{line.path}</span>
        <Value value={line.after} />
      </li>
    );
  }
  const style = KIND_STYLE[line.kind];
  const Icon = style.icon;
  return (
    <li className="grid gap-1 px-3 py-2" data-diff={line.kind}>
      <div className="flex min-w-0 items-center gap-2">
        <span
          className={cn(
            "inline-flex shrink-0 items-center gap-1 rounded px-1.5 py-0.5 text-[11px] font-medium",
            style.className,
          )}
        >
          <Icon className="size-3" aria-hidden />
          {style.label}
        </span>
        <span className="font-mono text-xs font-medium break-all">{line.path}</span>
      </div>
      {line.kind === "changed" ? (
        <div className="grid gap-0.5 pl-1">
          <span className="flex gap-2">
            <span className="w-10 shrink-0 text-xs text-muted-foreground">before</span>
            <Value value={line.before} strike />
          </span>
          <span className="flex gap-2">
            <span className="w-10 shrink-0 text-xs text-muted-foreground">after</span>
            <Value value={line.after} />
          </span>
        </div>
      ) : (
        <div className="pl-1">
          <Value value={line.kind === "added" ? line.after : line.before} strike={line.kind === "removed"} />
        </div>
      )}
    </li>
  );
}

/** Before/after as added, removed and changed fields; unchanged ones on request. */
export function JsonDiff({ before, after }: { before: JsonValue | null; after: JsonValue | null }) {
  const [showUnchanged, setShowUnchanged] = useState(false);
  const lines = diffJson(before, after);
  const changed = lines.filter((l) => l.kind !== "unchanged");
  const unchanged = lines.filter((l) => l.kind === "unchanged");
  const counts = (["added", "removed", "changed"] as const)
    .map((kind) => [kind, changed.filter((l) => l.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return (
    <div className="grid gap-2">
      <p className="text-xs text-muted-foreground">
        {counts.length > 0 ? counts.join(", ") : "No differences"}
        {unchanged.length > 0 ? ` · ${unchanged.length} unchanged` : ""}
      </p>
      {changed.length > 0 ? (
        <ul className="divide-y rounded-md border" aria-label="Changed fields">
          {changed.map((line) => (
            <Line key={line.path} line={line} />
          ))}
        </ul>
      ) : null}
      {unchanged.length > 0 ? (
        <div className="grid gap-2">
          <Button
            type="button"
            variant="ghost"
            size="sm"
            className="justify-self-start px-2"
            aria-expanded={showUnchanged}
            onClick={() => setShowUnchanged((v) => !v)}
          >
            {showUnchanged ? "Hide" : "Show"} unchanged fields ({unchanged.length})
          </Button>
          {showUnchanged ? (
            <ul className="divide-y rounded-md border" aria-label="Unchanged fields">
              {unchanged.map((line) => (
                <Line key={line.path} line={line} />
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
