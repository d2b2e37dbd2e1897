import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { NotificationDeliveryStatus } from "@/db/schema/enums";
import type { DeliveryView } from "@/lib/notifications/deliveries";

const STATUS: Record<
  NotificationDeliveryStatus,
  { label: string; variant: "secondary" | "info" | "success" | "destructive" }
> = {
  pending: { label: "Waiting", variant: "secondary" },
  sending: { label: "Sending", variant: "info" },
  delivered: { label: "Delivered", variant: "success" },
  failed: { label: "Failed", variant: "destructive" },
};

function time(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

/** The outbox's latest messages. Errors are the receivers' or servers' words: rendered as text. */
export function DeliveriesTable({ deliveries }: { deliveries: DeliveryView[] }) {
  if (deliveries.length === 0)
    return (
      <p className="text-sm text-muted-foreground">
        Nothing sent yet. Messages appear here when a rule matches or a test is sent.
      </p>
    );
  return (
    <Table aria-label="Recent deliveries">
      <TableHeader>
        <TableRow>
          <TableHead>Queued</TableHead>
          <TableHead>Message</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Attempts</TableHead>
          <TableHead>Last error</TableHead>
          <TableHead>Next attempt</TableHead>
          <TableHead>Delivered</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.map((d) => (
          <TableRow key={d.id} data-delivery-id={d.id} data-status={d.status}>
            <TableCell className="align-top text-xs">{time(d.createdAt)}</TableCell>
            <TableCell className="max-w-56 align-top text-sm whitespace-normal">
              <span className="block">{d.kind === "test" ? "Test message" : (d.ruleName ?? "Deleted rule")}</span>
              <span className="block text-xs text-muted-foreground">
                to {d.channelName} ({d.channelKind === "email" ? "e-mail" : "webhook"})
              </span>
              {d.detail ? <span className="block text-xs text-muted-foreground">{d.detail}</span> : null}
            </TableCell>
            <TableCell className="align-top">
              <Badge variant={STATUS[d.status].variant}>{STATUS[d.status].label}</Badge>
            </TableCell>
            <TableCell className="text-right align-top tabular-nums">{d.attempts}</TableCell>
            <TableCell className="max-w-72 align-top text-xs whitespace-normal">
              {d.lastError ? (
                <span className="line-clamp-3 break-words" title={d.lastError}>
                  {d.lastError}
                </span>
              ) : (
                "—"
              )}
            </TableCell>
            <TableCell className="align-top text-xs">{time(d.nextAttemptAt)}</TableCell>
            <TableCell className="align-top text-xs">{time(d.deliveredAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
