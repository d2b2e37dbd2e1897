"use client";

import { LoaderCircle, UserRound, X } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { searchUsers } from "../lib/actions";

export interface PickedUser {
  /** What goes into the URL's `user`: the email, or the actor id when there is none. */
  value: string;
  name: string | null;
}

// One person of the search's answer (lib/audit-log/people-search.ts, PersonMatch).
interface Match {
  value: string;
  id: string | null;
  name: string | null;
  email: string | null;
  member: boolean;
  lastSeenAt: string | null;
}

/**
 * The user filter: a search box over the organization's members and everyone who appears in its
 * log (by name, email or id), showing name and email, and saying when someone is not a current
 * member (a removed member, a service account). A combobox in the ARIA sense: arrows move
 * through the results, Enter picks one.
 */
// Under the name: the email, and the id when there is no email to tell the person by.
function secondLine(match: Match): string {
  if (match.email) return match.name ? match.email : (match.id ?? "");
  return match.name && match.id ? match.id : "";
}

export function UserPicker({
  orgSlug,
  value,
  onChange,
}: {
  orgSlug: string;
  value: PickedUser | null;
  onChange: (user: PickedUser | null) => void;
}) {
  const [text, setText] = useState("");
  const [matches, setMatches] = useState<Match[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const seq = useRef(0);
  const listId = useId();
  const inputId = useId();

  useEffect(() => {
    if (!open) return;
    const mine = ++seq.current;
    const handle = setTimeout(async () => {
      setLoading(true);
      const answer = await searchUsers(orgSlug, text).catch(
        () => ({ error: "Users could not be searched. Try again." }) as const,
      );
      // Only the newest search may fill the list: an older answer arriving late is dropped.
      if (mine !== seq.current) return;
      setLoading(false);
      if ("data" in answer && answer.data) {
        setMatches(answer.data);
        setError(null);
      } else {
        setMatches([]);
        setError(answer.error ?? "Users could not be searched.");
      }
      setActive(0);
    }, 200);
    return () => clearTimeout(handle);
  }, [orgSlug, text, open]);

  function pick(match: Match) {
    onChange({ value: match.value, name: match.name });
    setText("");
    setOpen(false);
  }

  if (value) {
    return (
      <div className="flex items-center gap-2 rounded-md border bg-muted/50 px-2 py-1.5">
        <UserRound className="size-4 shrink-0 text-muted-foreground" aria-hidden />
        <span className="grid min-w-0 flex-1 leading-tight">
          {value.name ? <span className="truncate text-sm font-medium">{value.name}</span> : null}
          <span className={cn("truncate", value.name ? "text-xs text-muted-foreground" : "text-sm")}>
            {value.value}
          </span>
        </span>
        <Button type="button" variant="ghost" size="icon-sm" aria-label="Clear user" onClick={() => onChange(null)}>
          <X aria-hidden />
        </Button>
      </div>
    );
  }

  const activeMatch = matches[active];
  return (
    <div className="relative">
      <label htmlFor={inputId} className="sr-only">
        Find a user by name, email or id
      </label>
      <Input
        id={inputId}
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && activeMatch ? `${listId}-${active}` : undefined}
        placeholder="Name, email or id"
        autoComplete="off"
        value={text}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
            setActive((i) => Math.min(i + 1, Math.max(matches.length - 1, 0)));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            if (open && activeMatch) pick(activeMatch);
          } else if (e.key === "Escape" && open) {
            // Close the list only, not the whole panel.
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {loading ? (
        <LoaderCircle className="absolute top-2.5 right-2.5 size-4 animate-spin text-muted-foreground" aria-hidden />
      ) : null}
      {open ? (
        <ul
          id={listId}
          role="listbox"
          aria-label="Users"
          className="absolute inset-x-0 top-full z-10 mt-1 max-h-56 overflow-y-auto rounded-md border bg-popover p-1 shadow-md"
        >
          {error ? (
            <li className="px-2 py-1.5 text-sm text-destructive" role="presentation">
              {error}
            </li>
          ) : matches.length === 0 ? (
            <li className="px-2 py-1.5 text-sm text-muted-foreground" role="presentation">
              {loading ? "Searching…" : "No users found"}
            </li>
          ) : (
            matches.map((match, i) => (
              <li
                key={match.value}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={cn(
                  "grid cursor-pointer rounded-sm px-2 py-1.5 leading-tight",
                  i === active && "bg-accent text-accent-foreground",
                )}
                // Keep focus in the input so the blur handler does not close the list first.
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => pick(match)}
              >
                <span className="flex min-w-0 items-baseline gap-2">
                  <span className="truncate text-sm font-medium">{match.name ?? match.email ?? match.id}</span>
                  {match.member ? null : (
                    <span className="shrink-0 text-xs text-muted-foreground italic">not a member</span>
                  )}
                </span>
                <span className="truncate text-xs text-muted-foreground">{secondLine(match)}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
