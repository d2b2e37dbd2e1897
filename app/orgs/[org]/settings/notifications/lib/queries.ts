import "server-only";

import { and, asc, eq, inArray } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import {
  memberships,
  notificationChannels,
  notificationRuleChannels,
  notificationRules,
  permissionGrants,
  users,
} from "@/db/schema";
import { requirePermission, type AccessDenial } from "@/lib/auth/access";
import { effectivePermissions } from "@/lib/auth/permissions";
import { recentDeliveries, type DeliveryView } from "@/lib/notifications/deliveries";
import { ruleSearchHref } from "@/lib/notifications/rule-search";
import { smtpConfigured } from "@/lib/notifications/smtp";
import { listStreamDestinations, streamLag } from "@/lib/streams/stream-lag";
import type { ChannelDto, MemberOption, RuleDto, StreamDto } from "./types";

export const RECENT_DELIVERIES = 50;

export interface NotificationSettings {
  rules: RuleDto[];
  channels: ChannelDto[];
  members: MemberOption[];
  deliveries: DeliveryView[];
  streams: StreamDto[];
  smtpConfigured: boolean;
}

export type NotificationSettingsResult = { ok: true; data: NotificationSettings } | { ok: false; reason: AccessDenial };

/**
 * Everything the settings page shows, for someone holding audit.manage in the organization
 * (checked here, from the database, not only by the page), scoped to that organization.
 */
export async function loadNotificationSettings(orgSlug: string): Promise<NotificationSettingsResult> {
  const access = await requirePermission(orgSlug, "audit.manage");
  if (!access.ok) return { ok: false, reason: access.reason };
  const { org } = access.access;
  const [rules, channels, members, deliveries, streams] = await Promise.all([
    listRules(org.id, org.slug),
    listChannels(org.id),
    listMemberOptions(org.id),
    recentDeliveries(org.id, RECENT_DELIVERIES),
    listStreams(org.id, org.slug),
  ]);
  return { ok: true, data: { rules, channels, members, deliveries, streams, smtpConfigured: smtpConfigured() } };
}

const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());

/** The organization's stream destinations with their lag; never their secrets. */
export async function listStreams(orgId: string, orgSlug: string, db: Executor = getDb()): Promise<StreamDto[]> {
  const rows = await listStreamDestinations(orgId, db);
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      name: r.name,
      format: r.format,
      url: r.url,
      query: r.query,
      batchSize: r.batchSize,
      maxWaitSeconds: r.maxWaitSeconds,
      state: r.state,
      consecutiveFailures: r.consecutiveFailures,
      lastError: r.lastError,
      lastErrorAt: isoOrNull(r.lastErrorAt),
      lastDeliveredAt: isoOrNull(r.lastDeliveredAt),
      sentEntries: r.sentEntries,
      pausedAt: isoOrNull(r.pausedAt),
      ...(await streamLag(orgId, r, db)),
      searchHref: ruleSearchHref(orgSlug, { query: r.query, types: [], results: [] }),
    })),
  );
}

export async function listRules(orgId: string, orgSlug: string, db: Executor = getDb()): Promise<RuleDto[]> {
  const rows = await db
    .select()
    .from(notificationRules)
    .where(eq(notificationRules.orgId, orgId))
    .orderBy(asc(notificationRules.createdAt), asc(notificationRules.id));
  const links = await ruleChannelIds(orgId, db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    query: r.query,
    types: r.types,
    results: r.results,
    mode: r.mode,
    thresholdCount: r.thresholdCount,
    thresholdMinutes: r.thresholdMinutes,
    groupBy: r.groupBy,
    enabled: r.enabled,
    channelIds: links.get(r.id) ?? [],
    searchHref: ruleSearchHref(orgSlug, r),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

async function ruleChannelIds(orgId: string, db: Executor): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ ruleId: notificationRuleChannels.ruleId, channelId: notificationRuleChannels.channelId })
    .from(notificationRuleChannels)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationRuleChannels.channelId))
    .where(eq(notificationRuleChannels.orgId, orgId))
    .orderBy(asc(notificationChannels.createdAt));
  const byRule = new Map<string, string[]>();
  for (const row of rows) byRule.set(row.ruleId, [...(byRule.get(row.ruleId) ?? []), row.channelId]);
  return byRule;
}

export async function listChannels(orgId: string, db: Executor = getDb()): Promise<ChannelDto[]> {
  const rows = await db
    .select({
      id: notificationChannels.id,
      kind: notificationChannels.kind,
      name: notificationChannels.name,
      url: notificationChannels.url,
      recipientUserIds: notificationChannels.recipientUserIds,
      createdAt: notificationChannels.createdAt,
    })
    .from(notificationChannels)
    .where(eq(notificationChannels.orgId, orgId))
    .orderBy(asc(notificationChannels.createdAt), asc(notificationChannels.id));
  const ids = [...new Set(rows.flatMap((r) => r.recipientUserIds))];
  const people =
    ids.length === 0
      ? []
      : await db
          .select({ userId: users.id, name: users.name, email: users.email })
          .from(users)
          .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
          .where(inArray(users.id, ids));
  const byId = new Map(people.map((p) => [p.userId, p]));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    url: r.url,
    // A recipient who left the organization is not shown (and not written to).
    recipients: r.recipientUserIds.flatMap((id) => {
      const person = byId.get(id);
      return person ? [person] : [];
    }),
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function listMemberOptions(orgId: string, db: Executor = getDb()): Promise<MemberOption[]> {
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      permission: permissionGrants.permission,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      permissionGrants,
      and(eq(permissionGrants.orgId, memberships.orgId), eq(permissionGrants.userId, memberships.userId)),
    )
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.name), asc(users.id));
  const byUser = new Map<
    string,
    {
      userId: string;
      name: string;
      email: string;
      role: (typeof rows)[0]["role"];
      grants: NonNullable<(typeof rows)[0]["permission"]>[];
    }
  >();
  for (const row of rows) {
    const member = byUser.get(row.userId) ?? { ...row, grants: [] };
    if (row.permission) member.grants.push(row.permission);
    byUser.set(row.userId, member);
  }
  return [...byUser.values()].map((m) => ({
    userId: m.userId,
    name: m.name,
    email: m.email,
    canView: effectivePermissions(m.role, m.grants).has("audit.view"),
  }));
}
