import type { Metadata } from "next";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { ManageAccessNotice } from "@/components/access-requests/manage-access-notice";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/auth/access";
import { env } from "@/lib/env";
import { RetentionForm } from "./components/retention-form";
import { lastRetentionRun, loadRetentionFormModel } from "./lib/queries";

export const metadata: Metadata = { title: "Retention" };

function scheduleText(): string {
  // Validated when the server started (lib/env.ts): a value it cannot read stops the start.
  const ms = env.RETENTION_SCHEDULE;
  if (ms === null) return "The retention run is scheduled by the operator (npm run retention, e.g. hourly from cron).";
  const minutes = Math.round(ms / 60_000);
  return minutes % 60 === 0
    ? `The retention run applies this policy every ${minutes === 60 ? "hour" : `${minutes / 60} hours`}.`
    : `The retention run applies this policy every ${minutes} minutes.`;
}

// Typed by hand rather than with the generated PageProps, which only knows routes after typegen.
export default async function RetentionSettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const { access, allowed } = await requirePageAccess(org, "audit.manage", `/orgs/${org}/settings/retention`);
  if (!allowed) return <ManageAccessNotice access={access} />;
  const [model, lastRun] = await Promise.all([
    loadRetentionFormModel(access.org.id, access.org.slug),
    lastRetentionRun(access.org.id),
  ]);

  return (
    <div className="mx-auto grid max-w-5xl gap-6 p-6">
      <AccessRequestOutcome access={access} permission="audit.manage" />
      <header>
        <h1 className="text-xl font-semibold">Retention</h1>
        <p className="text-sm text-muted-foreground">
          How long {access.org.name}&apos;s audit logs are kept, per category. Logs past their retention period are
          deleted, or moved to the archive when it is on. Laws may require minimum periods: ask your security or legal
          team. Changes are written to the audit log.
        </p>
      </header>
      <RetentionForm model={model} />
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Retention run</h2>
          </CardTitle>
          <CardDescription>{scheduleText()}</CardDescription>
        </CardHeader>
        <CardContent className="text-sm">
          {lastRun ? (
            <p>
              Last run{" "}
              <time dateTime={lastRun.occurredAt}>{lastRun.occurredAt.slice(0, 16).replace("T", " ")} UTC</time>
              {lastRun.result === "failed" ? " (stopped before the end; the next run continues)" : ""}:{" "}
              {lastRun.description}
            </p>
          ) : (
            <p className="text-muted-foreground">No retention run yet.</p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
