"use client";

import { LoaderCircle, Search } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { debounce, useQueryStates } from "nuqs";
import { useId, useMemo, useRef, useState, useTransition } from "react";
import { Input } from "@/components/ui/input";
import { Kbd } from "@/components/ui/kbd";
import { parseSearchQuery } from "@/lib/audit-log/search-language";
import type { Suggestion } from "@/lib/audit-log/search-completion";
import { explorerParsers } from "@/lib/audit-log/search-params";
import { cn } from "@/lib/utils";
import { SearchHelp } from "./search-help";
import { useSearchCompletion } from "./use-search-completion";

export const SEARCH_INPUT_ID = "audit-log-search";
const DEBOUNCE_MS = 300;

// A new search is a new listing: its first page, nothing selected.
const searchKeys = { q: explorerParsers.q, cursor: explorerParsers.cursor, entry: explorerParsers.entry };

/**
 * The search box. Typing refreshes the results after a 300 ms pause, replacing the URL (one
 * history entry for the whole search, not one per keystroke); Enter applies at once. The URL is the
 * source of truth (nuqs query states): the box follows it when it changes from elsewhere
 * (back/forward, a preset, a chip), and the server renders the results from it.
 *
 * Autocomplete (the ARIA combobox pattern): qualifier names, and values for the word at the caret
 * (categories, results, levels; actors and actions from the log). Arrow keys choose, Tab or Enter
 * takes the chosen one (Tab the first when none is chosen), Escape closes the list. Enter without
 * a chosen suggestion searches, as before.
 */
export function SearchBar({ orgSlug }: { orgSlug: string }) {
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
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  // The caret while the list may show; null when it is closed (blur, Escape, a taken suggestion's end).
  const [caret, setCaret] = useState<number | null>(null);
  const [active, setActive] = useState(-1);
  const completion = useSearchCompletion(orgSlug, text, caret);
  const shown = completion.suggestions;
  const open = caret !== null && (shown.length > 0 || completion.loading || completion.error !== null);

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

  function onChange(value: string, at: number | null) {
    setText(value);
    setCaret(at);
    setActive(-1);
    commit(value, true);
  }

  function take(suggestion: Suggestion) {
    const next = completion.apply(suggestion);
    setText(next.text);
    setActive(-1);
    // A qualifier's name leaves the list open for its values; a whole token closes it.
    setCaret(suggestion.complete ? null : next.caret);
    commit(next.text, !suggestion.complete);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(next.caret, next.caret);
    });
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLInputElement>) {
    if (open && shown.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        // -1 (none chosen) and each suggestion, round and round.
        setActive((i) => (i + step > shown.length - 1 ? -1 : i + step < -1 ? shown.length - 1 : i + step));
        return;
      }
      if ((e.key === "Enter" && active >= 0) || (e.key === "Tab" && !e.shiftKey)) {
        e.preventDefault();
        take(shown[Math.max(active, 0)]!);
        return;
      }
    }
    if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation();
      setCaret(null);
      setActive(-1);
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      setCaret(null);
      commit(text, false);
    }
  }

  function addExample(example: string) {
    const value = text.trim() === "" ? example : `${text.trim()} ${example}`;
    setText(value);
    commit(value, false);
    document.getElementById(SEARCH_INPUT_ID)?.focus();
  }

  const errors = useMemo(() => (checked.trim() === "" ? [] : parseSearchQuery(checked).errors), [checked]);

  // On a phone the box takes a row of its own, above Filter and View: beside them it was ~100 px,
  // too narrow for its placeholder or a query.
  return (
    <div
      className="grid min-w-0 flex-1 gap-1.5 max-sm:order-first max-sm:basis-full"
      data-pending={isPending ? "" : undefined}
    >
      <div className="flex items-center gap-1">
        <div className="relative min-w-0 flex-1">
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden
          />
          <Input
            ref={inputRef}
            id={SEARCH_INPUT_ID}
            type="search"
            role="combobox"
            aria-expanded={open}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-label="Search logs"
            placeholder="Search logs: user:kim@acme.test action:delete, or any words"
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => setCaret(null)}
            // The caret moved (arrow keys, a click) while the list is open: it follows the caret.
            onSelect={(e) => {
              if (caret !== null) setCaret(e.currentTarget.selectionStart);
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
          <ul
            id={listId}
            role="listbox"
            aria-label="Suggestions"
            hidden={!open}
            className="absolute top-full right-0 left-0 z-50 mt-1 max-h-80 overflow-y-auto rounded-md border bg-popover p-1 text-sm text-popover-foreground shadow-md"
          >
            {shown.map((suggestion, i) => (
              <li
                key={suggestion.insert}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                // Keeps the focus in the box: the click takes the suggestion, the caret stays.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => take(suggestion)}
                className={cn(
                  "flex cursor-pointer items-baseline gap-2 rounded-sm px-2 py-1.5",
                  i === active ? "bg-accent text-accent-foreground" : "hover:bg-accent/60",
                )}
              >
                <span className="font-mono text-xs">{suggestion.label}</span>
                {suggestion.detail ? (
                  <span className="min-w-0 truncate text-xs text-muted-foreground">{suggestion.detail}</span>
                ) : null}
              </li>
            ))}
            {shown.length === 0 ? (
              <li role="presentation" className="px-2 py-1.5 text-xs text-muted-foreground">
                {completion.error ?? (completion.loading ? "Looking in the log…" : "")}
              </li>
            ) : null}
          </ul>
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
