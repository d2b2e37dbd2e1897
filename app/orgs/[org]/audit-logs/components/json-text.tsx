import { cn } from "@/lib/utils";

/** JSON (or its outline) as text in a scrollable, focusable box; never parsed as HTML. */
export function JsonText({ label, text, wrap }: { label: string; text: string; wrap: "pre" | "lines" | "anywhere" }) {
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className={cn(
        "max-h-72 overflow-auto rounded-md border bg-muted/60 p-3 font-mono text-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
        wrap === "pre" && "leading-relaxed whitespace-pre",
        wrap === "lines" && "leading-relaxed whitespace-pre-wrap",
        wrap === "anywhere" && "break-all whitespace-pre-wrap",
      )}
    >
      {text}
    </pre>
  );
}
