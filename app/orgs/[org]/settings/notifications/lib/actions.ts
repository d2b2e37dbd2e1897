"use server";

import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Executor, Transaction } from "@/db/client";
import { memberships, notificationChannels, notificationRuleChannels, notificationRules, users } from "@/db/schema";
import { refuse } from "@/lib/actions/action-refusal";
import { orgAction, type OrgActionContext } from "@/lib/actions/org-action";
import { countMatching, EXACT_COUNT_LIMIT } from "@/lib/audit-log/counts";
import type { ConsoleEntry } from "@/lib/audit/console-entry";
import { enqueueTestDelivery } from "@/lib/notifications/enqueue";
import { ruleSearchHref, ruleSelection } from "@/lib/notifications/rule-search";
import { SECRET_ROTATION_GRACE_HOURS } from "@/lib/notifications/secret-rotation";
import { newSigningSecret, rotatedSecretColumns } from "@/lib/notifications/signing-secrets";
import { checkWebhookUrl } from "@/lib/notifications/webhook-url";
import { sealSecret } from "@/lib/security/secret-box";
import { conditionProblems } from "./condition";
import { NOTIFICATION_MESSAGES } from "./messages";
import { isEmptyCondition, RULE_TEMPLATES } from "./rules";
import {
  channelSchema,
  conditionSchema,
  idSchema,
  ruleSchema,
  setEnabledSchema,
  templateSchema,
  updateChannelSchema,
  updateRuleSchema,
  type ChannelInput,
  type RuleInput,
} from "./schemas";
import { lockOrgRow, MANAGE, settingsEntry, urlForLog } from "./settings-entry";
import type { RulePreview, WebhookSecretAnswer } from "./types";

/*
 * Rules and channels of one organization, for people holding audit.manage. Every action runs
 * through orgAction (origin, session, membership and permission re-read from the database, then
 * the input), touches only rows of the caller's organization (another organization's id answers
 * exactly like a missing one), and writes its audit entry (category audit, before and after) in
 * the transaction that makes the change. Webhook secrets appear in one answer only and never in
 * an entry.
 */

const SERVICE = "Notifications";
const MAX_RULES = 100;
const MAX_CHANNELS = 50;

const MESSAGES = NOTIFICATION_MESSAGES;

/* ------------------------------------------------------------------------------------------ */
/* Rules                                                                                        */
/* ------------------------------------------------------------------------------------------ */

type RuleRow = typeof notificationRules.$inferSelect;

// A type alias, so it fits the entry's JSON before/after.
type RuleSnapshot = {
  name: string;
  query: string;
  types: string[];
  results: string[];
  mode: string;
  thresholdCount: number | null;
  thresholdMinutes: number | null;
  groupBy: string | null;
  enabled: boolean;
  channels: { id: string; name: string }[];
};

async function ruleSnapshot(tx: Executor, rule: RuleRow): Promise<RuleSnapshot> {
  const channels = await tx
    .select({ id: notificationChannels.id, name: notificationChannels.name })
    .from(notificationRuleChannels)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationRuleChannels.channelId))
    .where(and(eq(notificationRuleChannels.orgId, rule.orgId), eq(notificationRuleChannels.ruleId, rule.id)))
    .orderBy(asc(notificationChannels.name), asc(notificationChannels.id));
  return {
    name: rule.name,
    query: rule.query,
    types: [...rule.types],
    results: [...rule.results],
    mode: rule.mode,
    thresholdCount: rule.thresholdCount,
    thresholdMinutes: rule.thresholdMinutes,
    groupBy: rule.groupBy,
    enabled: rule.enabled,
    channels,
  };
}

function ruleEntry(
  action: string,
  description: string,
  rule: { id: string; name: string },
  before: RuleSnapshot | null,
  after: RuleSnapshot | null,
  params?: Record<string, unknown>,
): ConsoleEntry {
  return settingsEntry({
    service: SERVICE,
    targetType: "notification_rule",
    action,
    description,
    target: rule,
    before,
    after,
    params,
  });
}

function lockRule(tx: Transaction, orgId: string, id: string): Promise<RuleRow> {
  return lockOrgRow(tx, notificationRules, orgId, id, MESSAGES.ruleNotFound);
}

/** The rule's fields as stored: threshold settings only in threshold mode. */
function ruleValues(input: RuleInput) {
  const threshold = input.mode === "threshold";
  return {
    name: input.name,
    query: input.query.trim(),
    types: input.types,
    results: input.results,
    mode: input.mode,
    thresholdCount: threshold ? input.thresholdCount : null,
    thresholdMinutes: threshold ? input.thresholdMinutes : null,
    groupBy: threshold && input.groupBy !== "none" ? input.groupBy : null,
    enabled: input.enabled,
  };
}

function checkCondition(input: RuleInput): void {
  const problems = conditionProblems(input.query);
  if (problems.length > 0) refuse(problems.join(" "), { query: problems.join(" ") });
  if (isEmptyCondition(input)) refuse(MESSAGES.emptyCondition, { query: MESSAGES.emptyCondition });
}

async function checkChannels(tx: Executor, orgId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return unique;
  const found = await tx
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.orgId, orgId), inArray(notificationChannels.id, unique)));
  if (found.length !== unique.length) refuse(MESSAGES.unknownChannels, { channelIds: MESSAGES.unknownChannels });
  return unique;
}

async function setRuleChannels(tx: Transaction, orgId: string, ruleId: string, channelIds: string[]): Promise<void> {
  await tx
    .delete(notificationRuleChannels)
    .where(and(eq(notificationRuleChannels.orgId, orgId), eq(notificationRuleChannels.ruleId, ruleId)));
  if (channelIds.length > 0)
    await tx.insert(notificationRuleChannels).values(channelIds.map((channelId) => ({ orgId, ruleId, channelId })));
}

async function checkRoom(tx: Transaction, orgId: string): Promise<void> {
  // One organization's rules are created one at a time, so the count below is the count.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('notification_rules'), hashtext(${orgId}))`);
  const [row] = await tx.select({ n: count() }).from(notificationRules).where(eq(notificationRules.orgId, orgId));
  if ((row?.n ?? 0) >= MAX_RULES) refuse(`An organization has at most ${MAX_RULES} rules. Delete one first.`);
}

async function insertRule(
  tx: Transaction,
  ctx: OrgActionContext<Transaction>,
  values: ReturnType<typeof ruleValues>,
  channelIds: string[],
  how: string,
): Promise<{ id: string }> {
  await checkRoom(tx, ctx.org.id);
  const [rule] = await tx
    .insert(notificationRules)
    .values({ ...values, orgId: ctx.org.id, createdBy: ctx.user.id })
    .returning();
  await setRuleChannels(tx, ctx.org.id, rule!.id, channelIds);
  const after = await ruleSnapshot(tx, rule!);
  await ctx.record(
    ruleEntry("create_notification_rule", `Notification rule "${rule!.name}" created${how}`, rule!, null, after),
  );
  return { id: rule!.id };
}

export const createRuleAction = orgAction(
  { name: "createRuleAction", schema: ruleSchema, transaction: true, ...MANAGE },
  async (input, ctx) => {
    checkCondition(input);
    const channelIds = await checkChannels(ctx.db, ctx.org.id, input.channelIds);
    return insertRule(ctx.db, ctx, ruleValues(input), channelIds, "");
  },
);

/** One of the starting rules, created paused and without channels. */
export const createRuleFromTemplateAction = orgAction(
  { name: "createRuleFromTemplateAction", schema: templateSchema, transaction: true, ...MANAGE },
  async ({ key }, ctx) => {
    const template = RULE_TEMPLATES.find((t) => t.key === key);
    if (!template) refuse("Unknown starting rule.");
    const values = {
      name: template.name,
      query: template.query,
      types: [...template.types],
      results: [...template.results],
      mode: template.mode,
      thresholdCount: template.thresholdCount,
      thresholdMinutes: template.thresholdMinutes,
      groupBy: template.groupBy,
      enabled: false,
    };
    return insertRule(ctx.db, ctx, values, [], " from a starting rule (paused)");
  },
);

export const updateRuleAction = orgAction(
  { name: "updateRuleAction", schema: updateRuleSchema, transaction: true, ...MANAGE },
  async (input, ctx) => {
    const tx = ctx.db;
    const current = await lockRule(tx, ctx.org.id, input.id);
    checkCondition(input);
    const channelIds = await checkChannels(tx, ctx.org.id, input.channelIds);
    const before = await ruleSnapshot(tx, current);
    const [rule] = await tx
      .update(notificationRules)
      .set({ ...ruleValues(input), updatedAt: new Date() })
      .where(and(eq(notificationRules.id, current.id), eq(notificationRules.orgId, ctx.org.id)))
      .returning();
    await setRuleChannels(tx, ctx.org.id, current.id, channelIds);
    const after = await ruleSnapshot(tx, rule!);
    const changed = (Object.keys(after) as (keyof RuleSnapshot)[]).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    if (changed.length === 0) return { id: current.id, changed: false };
    await ctx.record(
      ruleEntry(
        "update_notification_rule",
        `Notification rule "${rule!.name}" changed: ${changed.join(", ")}`,
        rule!,
        before,
        after,
        { changed },
      ),
    );
    return { id: current.id, changed: true };
  },
);

export const setRuleEnabledAction = orgAction(
  { name: "setRuleEnabledAction", schema: setEnabledSchema, transaction: true, ...MANAGE },
  async ({ id, enabled }, ctx) => {
    const tx = ctx.db;
    const current = await lockRule(tx, ctx.org.id, id);
    if (current.enabled === enabled) return { id, enabled };
    const before = await ruleSnapshot(tx, current);
    const [rule] = await tx
      .update(notificationRules)
      .set({ enabled, updatedAt: new Date() })
      .where(and(eq(notificationRules.id, id), eq(notificationRules.orgId, ctx.org.id)))
      .returning();
    await ctx.record(
      ruleEntry(
        enabled ? "enable_notification_rule" : "pause_notification_rule",
        `Notification rule "${rule!.name}" ${enabled ? "switched on" : "paused"}`,
        rule!,
        before,
        await ruleSnapshot(tx, rule!),
      ),
    );
    return { id, enabled };
  },
);

export const deleteRuleAction = orgAction(
  { name: "deleteRuleAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx) => {
    const tx = ctx.db;
    const current = await lockRule(tx, ctx.org.id, id);
    const before = await ruleSnapshot(tx, current);
    await tx
      .delete(notificationRules)
      .where(and(eq(notificationRules.id, id), eq(notificationRules.orgId, ctx.org.id)));
    await ctx.record(
      ruleEntry("delete_notification_rule", `Notification rule "${current.name}" deleted`, current, before, null),
    );
    return { id };
  },
);

/**
 * How many entries the condition matched over the last 7 days, counted by the query core exactly
 * as the explorer counts the same search, with the link to that search.
 */
export const previewRuleAction = orgAction(
  { name: "previewRuleAction", schema: conditionSchema, ...MANAGE, revalidate: undefined },
  async (input, ctx): Promise<RulePreview> => {
    const condition = { ...input, query: input.query.trim() };
    const searchHref = ruleSearchHref(ctx.org.slug, condition);
    const problems = conditionProblems(condition.query);
    if (problems.length > 0) return { problems, count: null, searchHref };
    if (isEmptyCondition(condition)) return { problems: [MESSAGES.emptyCondition], count: null, searchHref };
    const counted = await countMatching(ruleSelection(ctx.org.id, condition), { cap: EXACT_COUNT_LIMIT, db: ctx.db });
    return { problems: [], count: counted, searchHref };
  },
);

/* ------------------------------------------------------------------------------------------ */
/* Channels                                                                                     */
/* ------------------------------------------------------------------------------------------ */

type ChannelRow = typeof notificationChannels.$inferSelect;

type ChannelSnapshot = {
  kind: string;
  name: string;
  url?: string;
  recipients?: string[];
  /** Only ever the words "previous secret" or "new secret": a rotation's before and after. */
  secret?: string;
};

async function channelSnapshot(tx: Executor, channel: ChannelRow): Promise<ChannelSnapshot> {
  if (channel.kind === "webhook") return { kind: channel.kind, name: channel.name, url: urlForLog(channel.url) };
  const people =
    channel.recipientUserIds.length === 0
      ? []
      : await tx
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(inArray(users.id, channel.recipientUserIds));
  const email = new Map(people.map((p) => [p.id, p.email]));
  return {
    kind: channel.kind,
    name: channel.name,
    recipients: channel.recipientUserIds.map((id) => email.get(id) ?? id).sort(),
  };
}

function channelEntry(
  action: string,
  description: string,
  channel: { id: string; name: string },
  before: ChannelSnapshot | null,
  after: ChannelSnapshot | null,
  params?: Record<string, unknown>,
): ConsoleEntry {
  return settingsEntry({
    service: SERVICE,
    targetType: "notification_channel",
    action,
    description,
    target: channel,
    before,
    after,
    params,
  });
}

function lockChannel(tx: Transaction, orgId: string, id: string): Promise<ChannelRow> {
  return lockOrgRow(tx, notificationChannels, orgId, id, MESSAGES.channelNotFound);
}

async function checkRecipients(tx: Executor, orgId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await tx
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.userId, unique)));
  if (found.length !== unique.length) refuse(MESSAGES.notMembers, { recipientUserIds: MESSAGES.notMembers });
  return unique;
}

/** The SSRF guard's answer, said before anything is stored. */
async function checkUrl(input: ChannelInput): Promise<void> {
  if (input.kind !== "webhook") return;
  const checked = await checkWebhookUrl(input.url);
  if (!checked.ok) refuse(checked.message, { url: checked.message });
}

/**
 * Creates a channel. A webhook gets a fresh secret, stored sealed and answered this once. The URL
 * is checked (DNS included) before the transaction starts, so no connection waits on a resolver.
 */
export const createChannelAction = orgAction(
  { name: "createChannelAction", schema: channelSchema, ...MANAGE },
  async (input, ctx): Promise<{ id: string; secret: WebhookSecretAnswer | null }> => {
    await checkUrl(input);
    return ctx.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('notification_channels'), hashtext(${ctx.org.id}))`);
      const [room] = await tx
        .select({ n: count() })
        .from(notificationChannels)
        .where(eq(notificationChannels.orgId, ctx.org.id));
      if ((room?.n ?? 0) >= MAX_CHANNELS)
        refuse(`An organization has at most ${MAX_CHANNELS} channels. Delete one first.`);
      const secret = input.kind === "webhook" ? newSigningSecret() : null;
      const [channel] = await tx
        .insert(notificationChannels)
        .values({
          orgId: ctx.org.id,
          kind: input.kind,
          name: input.name,
          url: input.kind === "webhook" ? input.url : null,
          secretCiphertext: secret === null ? null : sealSecret(secret),
          recipientUserIds: input.kind === "email" ? await checkRecipients(tx, ctx.org.id, input.recipientUserIds) : [],
          createdBy: ctx.user.id,
        })
        .returning();
      await ctx.record(
        channelEntry(
          "create_notification_channel",
          `Notification channel "${channel!.name}" (${channel!.kind === "email" ? "e-mail" : "webhook"}) created`,
          channel!,
          null,
          await channelSnapshot(tx, channel!),
        ),
        tx,
      );
      return {
        id: channel!.id,
        secret: secret === null ? null : { channelId: channel!.id, name: channel!.name, secret },
      };
    });
  },
);

/** Changes a channel's name and URL or recipients; its kind and secret stay. */
export const updateChannelAction = orgAction(
  { name: "updateChannelAction", schema: updateChannelSchema, ...MANAGE },
  async (input, ctx) => {
    // Found and of the same kind before the URL is looked up, so a missing channel (or another
    // organization's) answers the same whatever URL came with it; checked again under the lock.
    const [known] = await ctx.db
      .select({ kind: notificationChannels.kind, url: notificationChannels.url })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.id, input.id), eq(notificationChannels.orgId, ctx.org.id)));
    if (!known) refuse(MESSAGES.channelNotFound);
    if (known.kind !== input.kind) refuse(MESSAGES.kindChange);
    if (input.kind !== "webhook" || known.url !== input.url) await checkUrl(input);
    return ctx.db.transaction(async (tx) => {
      const current = await lockChannel(tx, ctx.org.id, input.id);
      if (current.kind !== input.kind) refuse(MESSAGES.kindChange);
      const before = await channelSnapshot(tx, current);
      const [channel] = await tx
        .update(notificationChannels)
        .set({
          name: input.name,
          url: input.kind === "webhook" ? input.url : null,
          recipientUserIds: input.kind === "email" ? await checkRecipients(tx, ctx.org.id, input.recipientUserIds) : [],
          updatedAt: new Date(),
        })
        .where(and(eq(notificationChannels.id, current.id), eq(notificationChannels.orgId, ctx.org.id)))
        .returning();
      const after = await channelSnapshot(tx, channel!);
      const urlChanged = input.kind === "webhook" && current.url !== input.url;
      const changed = [
        ...(before.name !== after.name ? ["name"] : []),
        ...(urlChanged ? ["url"] : []),
        ...(JSON.stringify(before.recipients) !== JSON.stringify(after.recipients) ? ["recipients"] : []),
      ];
      if (changed.length === 0) return { id: current.id, changed: false };
      await ctx.record(
        channelEntry(
          "update_notification_channel",
          `Notification channel "${channel!.name}" changed: ${changed.join(", ")}`,
          channel!,
          before,
          after,
          { changed },
        ),
        tx,
      );
      return { id: current.id, changed: true };
    });
  },
);

/**
 * A new secret for a webhook, answered this once. The old one keeps signing beside it for
 * SECRET_ROTATION_GRACE_HOURS, so the receiver can switch without refusing a message.
 */
export const rotateWebhookSecretAction = orgAction(
  { name: "rotateWebhookSecretAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx): Promise<WebhookSecretAnswer> => {
    const tx = ctx.db;
    const current = await lockChannel(tx, ctx.org.id, id);
    if (current.kind !== "webhook") refuse(MESSAGES.notWebhook);
    const now = new Date();
    const rotated = current.secretCiphertext ? rotatedSecretColumns(current.secretCiphertext, now) : null;
    const secret = rotated?.secret ?? newSigningSecret();
    await tx
      .update(notificationChannels)
      .set({ ...(rotated?.columns ?? { secretCiphertext: sealSecret(secret) }), updatedAt: now })
      .where(and(eq(notificationChannels.id, id), eq(notificationChannels.orgId, ctx.org.id)));
    const snapshot = await channelSnapshot(tx, current);
    const until = rotated?.columns.previousSecretUntil;
    await ctx.record(
      channelEntry(
        "rotate_webhook_secret",
        until
          ? `Notification channel "${current.name}": webhook secret replaced (the previous one signs too until ${until.toISOString()})`
          : `Notification channel "${current.name}": webhook secret replaced`,
        current,
        { ...snapshot, secret: "previous secret" },
        { ...snapshot, secret: "new secret" },
        { graceHours: SECRET_ROTATION_GRACE_HOURS },
      ),
    );
    return { channelId: id, name: current.name, secret };
  },
);

export const deleteChannelAction = orgAction(
  { name: "deleteChannelAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx) => {
    const tx = ctx.db;
    const current = await lockChannel(tx, ctx.org.id, id);
    const before = await channelSnapshot(tx, current);
    const usedBy = await tx
      .select({ id: notificationRules.id, name: notificationRules.name })
      .from(notificationRuleChannels)
      .innerJoin(notificationRules, eq(notificationRules.id, notificationRuleChannels.ruleId))
      .where(and(eq(notificationRuleChannels.orgId, ctx.org.id), eq(notificationRuleChannels.channelId, id)));
    await tx
      .delete(notificationChannels)
      .where(and(eq(notificationChannels.id, id), eq(notificationChannels.orgId, ctx.org.id)));
    await ctx.record(
      channelEntry(
        "delete_notification_channel",
        `Notification channel "${current.name}" deleted`,
        current,
        before,
        null,
        usedBy.length > 0 ? { removedFromRules: usedBy } : undefined,
      ),
    );
    return { id };
  },
);

/** Queues a test message on the channel; its outcome shows in the recent deliveries. */
export const sendTestAction = orgAction(
  { name: "sendTestAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx) => {
    const [channel] = await ctx.db
      .select()
      .from(notificationChannels)
      .where(and(eq(notificationChannels.id, id), eq(notificationChannels.orgId, ctx.org.id)));
    if (!channel) refuse(MESSAGES.channelNotFound);
    const deliveryId = await enqueueTestDelivery(
      { orgId: ctx.org.id, channelId: channel.id, actorUserId: ctx.user.id },
      ctx.db,
    );
    if (deliveryId === null) refuse(MESSAGES.channelNotFound);
    await ctx.record(
      channelEntry(
        "test_notification_channel",
        `Test message queued on notification channel "${channel.name}"`,
        channel,
        null,
        null,
        { deliveryId },
      ),
    );
    return { deliveryId };
  },
);
