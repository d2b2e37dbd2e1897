"use client";

import { LoaderCircle, Search } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { debounce, useQueryStates } from "nuqs";
import { useId, useMemo, useState, useTransition } from "react";
import { Input } from "@/components/ui/input";
import { Kbd } from "@/components/ui/kbd";
import { parseSearchQuery } from "@/lib/audit-log/search-language";
import { explorerParsers } from "@/lib/audit-log/search-params";
import { SearchHelp } from "./search-help";

export const SEARCH_INPUT_ID = "audit-log-search";
const DEBOUNCE_MS = 300;

// A new search is a new listing: its first page, nothing selected.
const searchKeys = { q: explorerParsers.q, cursor: explorerParsers.cursor, entry: explorerParsers.entry };

/**
 * The search box. Typing refreshes the results after a 300 ms pause, replacing the URL (one
 * history entry for the whole search, not one per keystroke); Enter applies at once. The URL is the
 * source of truth (nuqs query states): the box follows it when it changes from elsewhere
 * (back/forward, a preset, a chip), and the server renders the results from it.
 */
export function SearchBar() {
  const [isPending, startTransition] = useTransition();
  const [{ q }, setSearch] = useQueryStates(searchKeys, {
    shallow: false,
    history: "replace",
    scroll: false,
    startTransition,
  });
  const [text, setText] = useState(q);
  // The search the server applied: its messages are the ones worth showing, not a half-typed word's.
  const checked = useSearchParams().get("q") ?? "";
  const errorId = useId();

  const [seenQ, setSeenQ] = useState(q);
  if (seenQ !== q) {
    // Our own typing keeps q equal to the trimmed text; anything else came from another control.
    setSeenQ(q);
    if (text.trim() !== q.trim()) setText(q);
  }

  function commit(value: string, wait: boolean) {
    const next = value.trim();
    if (next === q.trim()) return;
    void setSearch(
      { q: next === "" ? null : next, cursor: null, entry: null },
      { limitUrlUpdates: wait ? debounce(DEBOUNCE_MS) : undefined },
    );
  }

  function onChange(value: string) {
    setText(value);
    commit(value, true);
  }

  function addExample(example: string) {
    const value = text.trim() === "" ? example : `${text.trim()} ${example}`;
    setText(value);
    commit(value, false);
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
                commit(text, false);
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
