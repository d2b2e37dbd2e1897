import { Bot } from "lucide-react";
import type { AuditActor } from "../lib/types";

/** `[nobody]`: the service acted by itself, or the actor does not exist (Kintone's wording). */
export function NobodyActor() {
  return (
    <span className="text-muted-foreground inline-flex items-center gap-1.5 italic" title="No user: the service acted by itself, or the actor does not exist">
      <Bot className="size-3.5 shrink-0" aria-hidden />
      [nobody]
    </span>
  );
}

export function ActorCell({ actor }: { actor: AuditActor | null }) {
  if (!actor || (!actor.name && !actor.email && !actor.id)) return <NobodyActor />;
  const primary = actor.name ?? actor.email ?? actor.id;
  const secondary = actor.name ? (actor.email ?? actor.id) : null;
  return (
    <span className="grid max-w-56 min-w-0 leading-tight">
      <span className="truncate font-medium" title={primary ?? undefined}>
        {primary}
      </span>
      {secondary ? (
        <span className="text-muted-foreground truncate text-xs" title={secondary}>
          {secondary}
        </span>
      ) : null}
    </span>
  );
}
