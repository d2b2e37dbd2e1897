import { Badge } from "@/components/ui/badge";
import type { DecidedAccessRequest } from "../lib/types";

/** The most recent decisions, so a second admin can see what was already answered and by whom. */
export function DecidedRequests({ requests }: { requests: DecidedAccessRequest[] }) {
  if (requests.length === 0) return <p className="text-sm text-muted-foreground">No decisions yet.</p>;
  return (
    <ul className="divide-y text-sm" aria-label="Decided access requests">
      {requests.map((request) => (
        <li key={request.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
          <span>
            {request.name} <span className="text-muted-foreground">{request.email}</span>
          </span>
          <span className="flex items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={request.status === "approved" ? "success" : "secondary"}>
              {request.status === "approved" ? "Approved" : "Declined"}
            </Badge>
            {request.decidedByName ? `by ${request.decidedByName}` : null}
            {request.decidedAt ? (
              <time dateTime={request.decidedAt}>{request.decidedAt.slice(0, 16).replace("T", " ")} UTC</time>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
