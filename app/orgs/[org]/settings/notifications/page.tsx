import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { ManageAccessNotice } from "@/components/access-requests/manage-access-notice";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/auth/access";
import { ChannelsSection } from "./components/channels-section";
import { DeliveriesTable } from "./components/deliveries-table";
import { RefreshWhileSending } from "./components/refresh-while-sending";
import { RulesSection } from "./components/rules-section";
import { StreamsSection } from "./components/streams-section";
import { loadNotificationSettings } from "./lib/queries";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({ params }: PageProps<"/orgs/[org]/settings/notifications">) {
  const { org } = await params;
  const { access, allowed } = await requirePageAccess(org, "audit.manage", `/orgs/${org}/settings/notifications`);
  if (!allowed) return <ManageAccessNotice access={access} />;
  const settings = await loadNotificationSettings(org);
  // Only a change between the two reads (a revoked grant, a removed membership) gets here.
  if (!settings.ok) {
    if (settings.reason === "forbidden") return <ManageAccessNotice access={access} />;
    notFound();
  }
  const { rules, channels, members, deliveries, streams, smtpConfigured } = settings.data;
  const slug = access.org.slug;
  return (
    <div className="mx-auto grid max-w-5xl grid-cols-[minmax(0,1fr)] gap-6 p-4 sm:p-6">
      <AccessRequestOutcome access={access} permission="audit.manage" />
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Notifications</h1>
        <p className="text-sm text-muted-foreground">
          Rules watch {access.org.name}&apos;s audit log and send each match, with a link to the entry, to e-mail or a
          webhook. Changes here are written to the audit log.
        </p>
      </header>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Rules</h2>
          </CardTitle>
          <CardDescription>
            A condition is a search of the audit log; “Show matching entries” opens the same search in the explorer.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <RulesSection orgSlug={slug} rules={rules} channels={channels} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Channels</h2>
          </CardTitle>
          <CardDescription>
            E-mail goes to chosen members who can view the audit log; webhooks receive signed JSON.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ChannelsSection orgSlug={slug} channels={channels} members={members} smtpConfigured={smtpConfigured} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Recent deliveries</h2>
          </CardTitle>
          <CardDescription>
            The latest messages and their state; failed ones are retried before giving up.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <DeliveriesTable deliveries={deliveries} />
          <RefreshWhileSending inFlight={deliveries.some((d) => d.status === "pending" || d.status === "sending")} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Streams</h2>
          </CardTitle>
          <CardDescription>
            Every new entry, or those matching a search, sent in order of arrival to a SIEM: Splunk&apos;s HTTP Event
            Collector, or any receiver of signed NDJSON. A stream that keeps failing pauses itself and catches up when
            resumed.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <StreamsSection orgSlug={slug} streams={streams} />
        </CardContent>
      </Card>
    </div>
  );
}
