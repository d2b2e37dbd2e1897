import { Bot } from "lucide-react";
import type { AuditActor } from "@/lib/audit-log/types";
import { CellStack } from "./cell-stack";

/** `[nobody]`: the service acted by itself, or the actor does not exist (Kintone's wording). */
export function NobodyActor() {
  return (
    <span
      className="inline-flex items-center gap-1.5 text-muted-foreground italic"
      title="No user: the service acted by itself, or the actor does not exist"
    >
      <Bot className="size-3.5 shrink-0" aria-hidden />
      [nobody]
    </span>
  );
}

export function ActorCell({ actor }: { actor: AuditActor | null }) {
  const primary = actor?.name || actor?.email || actor?.id;
  if (!actor || !primary) return <NobodyActor />;
  return <CellStack primary={primary} secondary={actor.name ? (actor.email ?? actor.id) : null} strong />;
}
