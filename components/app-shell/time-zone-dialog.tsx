"use client";

import { Check } from "lucide-react";
import { useRouter } from "next/navigation";
import { useMemo, useState, useTransition } from "react";
import { toast } from "sonner";
import {
  CommandDialog,
  CommandEmpty,
  CommandGroup,
  CommandInput,
  CommandItem,
  CommandList,
} from "@/components/ui/command";
import { saveTimeZone } from "@/lib/preferences/actions";
import { browserTimeZone } from "@/lib/preferences/time-zone-cookie";
import type { ReaderTimeZone } from "@/lib/preferences/types";

const FOLLOW_BROWSER = "browser";

/** The zone typed, in its canonical spelling, when the browser knows it ("asia/kolkata"). */
function typedZone(text: string): string | null {
  if (!text.includes("/") && text.toUpperCase() !== "UTC") return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// The browser's list holds one name per zone, sometimes an older one (Asia/Calcutta for
// Asia/Kolkata): a zone typed in full is offered as well.
function knownZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** Choosing the zone every time in the console is shown in; keyboard-first, searchable. */
export function TimeZoneDialog({
  orgSlug,
  current,
  open,
  onOpenChange,
}: {
  orgSlug: string;
  current: ReaderTimeZone;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useState("");
  const typed = typedZone(query.trim());
  const zones = useMemo(() => (open ? knownZones() : []), [open]);
  const browser = open ? browserTimeZone() : null;

  function choose(value: string) {
    const timeZone = value === FOLLOW_BROWSER ? null : value;
    startTransition(async () => {
      const result = await saveTimeZone(orgSlug, { timeZone });
      if (result.error !== undefined) {
        toast.error(result.error);
        return;
      }
      onOpenChange(false);
      toast.success(`Times are shown in ${timeZone ?? `this browser's time zone (${browser ?? "UTC"})`}.`);
      router.refresh();
    });
  }

  const mark = (on: boolean) => <Check aria-hidden className={on ? "ml-auto" : "invisible ml-auto"} />;
  return (
    <CommandDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Time zone"
      description="Times, days and periods in the console use this zone."
    >
      <CommandInput
        placeholder="Search time zones…"
        aria-label="Search time zones"
        value={query}
        onValueChange={setQuery}
        disabled={pending}
      />
      <CommandList>
        <CommandEmpty>No time zone has that name.</CommandEmpty>
        <CommandGroup heading={`Now: ${current.zone}`}>
          <CommandItem value={FOLLOW_BROWSER} keywords={["browser", "automatic"]} onSelect={choose} disabled={pending}>
            Follow this browser{browser ? ` (${browser})` : ""}
            {mark(current.source !== "setting")}
          </CommandItem>
        </CommandGroup>
        <CommandGroup heading="All time zones">
          {typed && (!zones.includes(typed) || typed.toLowerCase() !== query.trim().toLowerCase()) ? (
            <CommandItem value={`typed ${typed}`} keywords={[query]} onSelect={() => choose(typed)} disabled={pending}>
              {typed.replaceAll("_", " ")}
            </CommandItem>
          ) : null}
          {zones.map((zone) => (
            <CommandItem key={zone} value={zone} onSelect={choose} disabled={pending}>
              {zone.replaceAll("_", " ")}
              {mark(current.source === "setting" && current.zone === zone)}
            </CommandItem>
          ))}
        </CommandGroup>
      </CommandList>
    </CommandDialog>
  );
}
