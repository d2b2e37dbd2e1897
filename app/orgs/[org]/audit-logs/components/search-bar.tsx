"use client";

import { LoaderCircle, Search } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, useTransition } from "react";
import { Input } from "@/components/ui/input";
import { Kbd } from "@/components/ui/kbd";
import { parseSearchQuery } from "@/lib/audit-log/search-language";
import { SearchHelp } from "./search-help";

export const SEARCH_INPUT_ID = "audit-log-search";
const DEBOUNCE_MS = 300;

/**
 * The search box. Typing refreshes the results after a 300 ms pause, replacing the URL (one
 * history entry for the whole search, not one per keystroke). The URL stays the source of truth:
 * the router drops a response that a newer navigation superseded, and the box only takes its text
 * from the URL when the change did not come from its own typing (back/forward, a preset, a chip).
 */
export function SearchBar() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const urlQ = searchParams.get("q") ?? "";
  const [text, setText] = useState(urlQ);
  const [checked, setChecked] = useState(urlQ);
  const [isPending, startTransition] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const sent = useRef(urlQ.trim());
  const errorId = useId();

  useEffect(() => {
    // A navigation of ours still running, or the user still typing: their text is newer.
    if (isPending || timer.current !== null) return;
    if (urlQ.trim() === sent.current) return;
    sent.current = urlQ.trim();
    setText(urlQ);
    setChecked(urlQ);
  }, [urlQ, isPending]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  function commit(value: string) {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    setChecked(value);
    const q = value.trim();
    if (q === sent.current) return;
    sent.current = q;
    // The live URL, not a render's snapshot: another control may have changed it meanwhile.
    const next = new URLSearchParams(window.location.search);
    if (q === "") next.delete("q");
    else next.set("q", q);
    // A new search is a new listing: its first page, nothing selected.
    next.delete("cursor");
    next.delete("entry");
    const query = next.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }

  function onChange(value: string) {
    setText(value);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => commit(value), DEBOUNCE_MS);
  }

  function addExample(example: string) {
    const value = text.trim() === "" ? example : `${text.trim()} ${example}`;
    setText(value);
    commit(value);
    document.getElementById(SEARCH_INPUT_ID)?.focus();
  }

  const errors = useMemo(() => (checked.trim() === "" ? [] : parseSearchQuery(checked).errors), [checked]);

  return (
    <div className="grid min-w-0 flex-1 gap-1.5" data-pending={isPending ? "" : undefined}>
      <div className="flex items-center gap-1">
        <div className="relative min-w-0 flex-1">
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden
          />
          <Input
            id={SEARCH_INPUT_ID}
            type="search"
            aria-label="Search logs"
            placeholder="Search logs: user:kim@acme.test action:delete, or any words"
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                commit(text);
              }
            }}
            aria-invalid={errors.length > 0 || undefined}
            aria-describedby={errors.length > 0 ? errorId : undefined}
            className="peer pr-16 pl-8 [&::-webkit-search-cancel-button]:mr-5"
          />
          <span className="pointer-events-none absolute top-1/2 right-2.5 flex -translate-y-1/2 items-center gap-1.5">
            {isPending ? (
              <LoaderCircle className="size-4 animate-spin text-muted-foreground" aria-label="Searching" />
            ) : text === "" ? (
              <Kbd aria-hidden title="Press / to search">
                /
              </Kbd>
            ) : null}
          </span>
        </div>
        <SearchHelp onExample={addExample} />
      </div>
      <div id={errorId} aria-live="polite" className="min-h-0">
        {errors.length > 0 ? (
          <ul className="grid gap-0.5 text-xs text-destructive dark:text-red-300">
            {errors.map((error, i) => (
              <li key={`${i}-${error.token}`}>
                {error.token ? (
                  <>
                    <code className="rounded bg-destructive/10 px-1 font-mono">{error.token}</code> not applied:{" "}
                  </>
                ) : null}
                {error.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
