"use client";

import { useEffect, useState } from "react";
import {
  applySuggestion,
  completionAt,
  isRemoteKey,
  localSuggestions,
  valueToken,
  type CompletionContext,
  type Suggestion,
} from "@/lib/audit-log/search-completion";
import { suggestSearchValues } from "../lib/actions";

const REMOTE_DELAY_MS = 150;
const MAX_SHOWN = 8;

export interface SearchCompletion {
  context: CompletionContext | null;
  suggestions: Suggestion[];
  /** Asking the server for actors or actions. */
  loading: boolean;
  /** The server could not answer; the message says so. */
  error: string | null;
  apply(suggestion: Suggestion): { text: string; caret: number };
}

/**
 * The suggestions for the word at the caret: qualifier names and fixed values at once, actors and
 * actions from the server after a short pause (an older answer never replaces a newer one).
 */
export function useSearchCompletion(orgSlug: string, text: string, caret: number | null): SearchCompletion {
  const context = caret === null ? null : completionAt(text, caret);
  const remoteKey = context && isRemoteKey(context.key) ? context.key : null;
  const partial = context?.partial ?? "";
  const negated = context?.negated ?? false;
  const [remote, setRemote] = useState<{ for: string; items: Suggestion[]; error: string | null } | null>(null);
  const wanted = remoteKey ? `${remoteKey}:${partial}:${negated}` : null;

  useEffect(() => {
    if (!remoteKey || wanted === null) return;
    let current = true;
    const timer = setTimeout(async () => {
      const result = await suggestSearchValues(orgSlug, { key: remoteKey, text: partial });
      if (!current) return;
      setRemote(
        result.error !== undefined
          ? { for: wanted, items: [], error: result.error }
          : {
              for: wanted,
              error: null,
              items: result.data.map((s) => ({
                label: s.label,
                detail: s.detail,
                insert: valueToken(remoteKey, s.value, negated),
                complete: true,
              })),
            },
      );
    }, REMOTE_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [orgSlug, remoteKey, partial, negated, wanted]);

  const fresh = remote !== null && remote.for === wanted;
  const suggestions = context
    ? (remoteKey ? (fresh ? remote.items : []) : localSuggestions(context)).slice(0, MAX_SHOWN)
    : [];
  return {
    context,
    suggestions,
    loading: remoteKey !== null && !fresh,
    error: remoteKey !== null && fresh ? remote.error : null,
    apply: (suggestion) => applySuggestion(text, context!, suggestion),
  };
}
