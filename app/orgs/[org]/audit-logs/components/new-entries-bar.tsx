"use client";

import { ArrowUp, Loader2 } from "lucide-react";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import type { NewestShown } from "@/lib/audit-log/types";
import { countNewEntries, type NewEntriesCount } from "../lib/actions";

export interface NewEntriesBarProps {
  orgSlug: string;
  /** The first row listed; null when the search lists nothing yet. */
  newest: NewestShown | null;
  pollSeconds: number;
}

type Checked = { key: string; answer: NewEntriesCount | null; error: string | null };

export function newEntriesText({ count, more }: NewEntriesCount): string {
  if (more) return `More than ${count} new entries`;
  return count === 1 ? "1 new entry" : `${count.toLocaleString("en-US")} new entries`;
}

/**
 * "N new entries" above the first page of a newest-first listing: asks the server every
 * `pollSeconds` (and when the tab becomes visible again; never while it is hidden) how many entries
 * of the current search sort above the first row. "Show" re-renders the page on the server with the
 * same URL, so the selected entry and its details stay; the bar then starts again from the new
 * first row.
 */
export function NewEntriesBar({ orgSlug, newest, pollSeconds }: NewEntriesBarProps) {
  const router = useRouter();
  const query = useSearchParams().toString();
  const [isPending, startTransition] = useTransition();
  const key = `${query}|${newest?.id ?? ""}`;
  const [checked, setChecked] = useState<Checked>({ key, answer: null, error: null });
  // A new search or a new first row starts from nothing: the old figure was about another list.
  const current = checked.key === key ? checked : { key, answer: null, error: null };

  const newestId = newest?.id ?? null;
  const newestAt = newest?.occurredAt ?? null;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const marker = newestId && newestAt ? { id: newestId, occurredAt: newestAt } : null;

    async function check() {
      if (document.hidden) return;
      const result = await countNewEntries(orgSlug, { query, newest: marker }).catch(
        () => ({ error: "New entries could not be checked." }) as const,
      );
      if (stopped) return;
      setChecked(
        "data" in result && result.data
          ? { key, answer: result.data, error: null }
          : { key, answer: null, error: result.error ?? "New entries could not be checked." },
      );
    }
    function schedule() {
      timer = setTimeout(() => {
        void check().finally(() => {
          if (!stopped) schedule();
        });
      }, pollSeconds * 1000);
    }
    function onVisibility() {
      if (!document.hidden) void check();
    }

    schedule();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [orgSlug, query, key, newestId, newestAt, pollSeconds]);

  const count = current.answer && current.answer.count > 0 ? current.answer : null;
  return (
    <div role="status" aria-live="polite" className="empty:hidden">
      {count ? (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-primary/30 bg-primary/5 px-3 py-2 text-sm">
          <span className="font-medium" data-testid="new-entries-count">
            {newEntriesText(count)}
          </span>
          <Button
            size="sm"
            variant="outline"
            disabled={isPending}
            onClick={() => startTransition(() => router.refresh())}
          >
            {isPending ? <Loader2 className="animate-spin" aria-hidden /> : <ArrowUp aria-hidden />}
            Show new entries
          </Button>
        </div>
      ) : current.error ? (
        <p className="text-sm text-muted-foreground">{current.error}</p>
      ) : null}
    </div>
  );
}
