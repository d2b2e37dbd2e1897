"use client";

import { Check, X } from "lucide-react";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { approveAccessRequest, declineAccessRequest } from "../lib/actions";
import { REQUEST_PURPOSE } from "@/lib/access-requests/requested-permission";
import type { PendingAccessRequest } from "../lib/types";
import { runWithToast } from "./run-action";

interface PendingRequestsProps {
  orgSlug: string;
  requests: PendingAccessRequest[];
  /** Why this viewer cannot approve (they lack view or export themselves), or null. */
  approveRefusal: string | null;
  viewerId: string;
}

function RequestItem({
  orgSlug,
  request,
  approveRefusal,
  viewerId,
}: Omit<PendingRequestsProps, "requests"> & { request: PendingAccessRequest }) {
  const [pending, startTransition] = useTransition();
  const own = request.userId === viewerId;

  function decide(decision: "approve" | "decline") {
    startTransition(async () => {
      const input = { requestId: request.id };
      await runWithToast(
        () => (decision === "approve" ? approveAccessRequest(orgSlug, input) : declineAccessRequest(orgSlug, input)),
        () =>
          decision === "approve"
            ? `${request.name} can now ${REQUEST_PURPOSE[request.permission]}.`
            : `The request from ${request.name} was declined.`,
      );
    });
  }

  return (
    <li className="flex flex-wrap items-start justify-between gap-3 py-3" data-request-email={request.email}>
      <div className="min-w-0">
        <p className="font-medium">
          {request.name} <span className="text-sm font-normal text-muted-foreground">{request.email}</span>
        </p>
        <p className="text-sm">Asks to {REQUEST_PURPOSE[request.permission]}</p>
        <p className="text-xs text-muted-foreground">
          Requested <time dateTime={request.createdAt}>{request.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
        </p>
        {request.message ? (
          <blockquote className="mt-1 border-l-2 pl-2 text-sm whitespace-pre-wrap">{request.message}</blockquote>
        ) : null}
      </div>
      <div className="flex gap-2">
        <span title={own ? "You cannot decide your own request." : (approveRefusal ?? undefined)}>
          <Button
            size="sm"
            onClick={() => decide("approve")}
            disabled={pending || own || approveRefusal !== null}
            aria-label={`Approve access request from ${request.name}`}
          >
            <Check aria-hidden /> Approve
          </Button>
        </span>
        <Button
          size="sm"
          variant="outline"
          onClick={() => decide("decline")}
          disabled={pending || own}
          aria-label={`Decline access request from ${request.name}`}
        >
          <X aria-hidden /> Decline
        </Button>
      </div>
    </li>
  );
}

export function PendingRequests({ orgSlug, requests, approveRefusal, viewerId }: PendingRequestsProps) {
  if (requests.length === 0) {
    return <p className="text-sm text-muted-foreground">No pending access requests.</p>;
  }
  return (
    <ul className="divide-y" aria-label="Pending access requests">
      {requests.map((request) => (
        <RequestItem
          key={request.id}
          orgSlug={orgSlug}
          request={request}
          approveRefusal={approveRefusal}
          viewerId={viewerId}
        />
      ))}
    </ul>
  );
}
