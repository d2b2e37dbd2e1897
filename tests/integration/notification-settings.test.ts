import { AsyncLocalStorage } from "node:async_hooks";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  auditLogs,
  notificationChannels,
  notificationDeliveries,
  notificationRuleChannels,
  notificationRules,
} from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { openSecret } from "@/lib/security/secret-box";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The notification settings' page data and server actions against a real database. Only the
 * session lookup, request headers and revalidatePath are replaced: each call runs "as" a user.
 */
const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
}));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
vi.mock("@/lib/env", () => import("../helpers/env-override"));

const { overrideEnv } = await import("../helpers/env-override");

const { NOTIFICATION_MESSAGES } = await import("@/app/orgs/[org]/settings/notifications/lib/messages");
const actions = await import("@/app/orgs/[org]/settings/notifications/lib/actions");
const { loadNotificationSettings } = await import("@/app/orgs/[org]/settings/notifications/lib/queries");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const db = () => testDb.handle.db;
const id = (email: string) => {
  const userId = seeded.users[email];
  if (!userId) throw new Error(`no demo user ${email}`);
  return userId;
};
const as = <T>(email: string | null, fn: () => Promise<T>) => session.run(email === null ? null : id(email), fn);
const admin = <T>(fn: () => Promise<T>) => as("admin@acme.test", fn);

type RuleArg = Parameters<(typeof actions)["createRuleAction"]>[1];
const RULE: RuleArg = {
  name: "Deletes",
  query: "action:delete",
  types: [],
  results: ["failed"],
  mode: "each",
  thresholdCount: null,
  thresholdMinutes: null,
  groupBy: "none",
  channelIds: [],
  enabled: true,
};

async function entriesOf(action: string, orgId = seeded.orgs.acme) {
  return db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.action, action)))
    .orderBy(desc(auditLogs.receivedAt), desc(auditLogs.id));
}

async function counts() {
  const [rules, channels, links, entries] = await Promise.all([
    db().select().from(notificationRules),
    db().select().from(notificationChannels),
    db().select().from(notificationRuleChannels),
    db().select({ id: auditLogs.id }).from(auditLogs),
  ]);
  return { rules: rules.length, channels: channels.length, links: links.length, entries: entries.length };
}

async function newWebhook(name = "Hook", orgSlug = "acme", email = "admin@acme.test") {
  const created = await as(email, () =>
    actions.createChannelAction(orgSlug, { kind: "webhook", name, url: "http://127.0.0.1:9/hook" }),
  );
  if (created.error !== undefined) throw new Error(created.error);
  return created.data;
}

async function newRule(overrides: Partial<RuleArg> = {}, orgSlug = "acme", email = "admin@acme.test") {
  const created = await as(email, () => actions.createRuleAction(orgSlug, { ...RULE, ...overrides }));
  if (created.error !== undefined) throw new Error(created.error);
  return created.data;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(consoleServerHeaders("console.test", "198.51.100.9"));
  // The test receivers live on 127.0.0.1; one test below switches this off again.
  overrideEnv({ WEBHOOK_ALLOW_PRIVATE: true });
});
afterAll(async () => {
  await testDb?.drop();
});

describe("who may read and change notifications", () => {
  it("refuses a member or a manager without audit.manage: page data and every action, changing nothing", async () => {
    const hook = await newWebhook("Guarded");
    const rule = await newRule({ name: "Guarded rule", channelIds: [hook.id] });
    const before = await counts();
    for (const email of ["member@acme.test", "manager@acme.test"]) {
      expect(await as(email, () => loadNotificationSettings("acme"))).toEqual({ ok: false, reason: "forbidden" });
      const calls: (() => Promise<unknown>)[] = [
        () => actions.createRuleAction("acme", RULE),
        () => actions.updateRuleAction("acme", { ...RULE, id: rule.id }),
        () => actions.setRuleEnabledAction("acme", { id: rule.id, enabled: false }),
        () => actions.deleteRuleAction("acme", { id: rule.id }),
        () => actions.createRuleFromTemplateAction("acme", { key: "notice" }),
        () => actions.previewRuleAction("acme", { query: "level:notice", types: [], results: [] }),
        () => actions.createChannelAction("acme", { kind: "webhook", name: "x", url: "http://127.0.0.1:9/h" }),
        () =>
          actions.updateChannelAction("acme", {
            kind: "webhook",
            id: hook.id,
            name: "x",
            url: "http://127.0.0.1:9/h",
          }),
        () => actions.rotateWebhookSecretAction("acme", { id: hook.id }),
        () => actions.deleteChannelAction("acme", { id: hook.id }),
        () => actions.sendTestAction("acme", { id: hook.id }),
      ];
      for (const call of calls) expect(await as(email, call)).toEqual({ error: NO_PERMISSION_TEXT });
    }
    // Signed out and outside the organization: the same answers as every other settings page.
    expect(await as(null, () => loadNotificationSettings("acme"))).toEqual({ ok: false, reason: "unauthenticated" });
    expect(await as("auditor@globex.test", () => loadNotificationSettings("acme"))).toEqual({
      ok: false,
      reason: "not-found",
    });
    expect(await as("auditor@globex.test", () => actions.deleteRuleAction("acme", { id: rule.id }))).toEqual({
      error: "Organization not found.",
    });
    expect(await counts()).toEqual(before);
  });

  it("answers another organization's rule or channel exactly like a missing one", async () => {
    const theirs = await newWebhook("Globex hook", "globex", "auditor@globex.test").catch(() => null);
    // The Globex manager lacks audit.manage; an admin-made row of Globex stands in.
    expect(theirs).toBeNull();
    const [globexHook] = await db()
      .insert(notificationChannels)
      .values({ orgId: seeded.orgs.globex, kind: "webhook", name: "Globex hook", url: "https://globex.test/h" })
      .returning();
    const [globexRule] = await db()
      .insert(notificationRules)
      .values({ orgId: seeded.orgs.globex, name: "Globex rule", query: "level:notice" })
      .returning();
    const missing = "00000000-0000-4000-8000-000000000000";
    const before = await counts();
    for (const target of [globexRule!.id, missing]) {
      const answers = await admin(() =>
        Promise.all([
          actions.updateRuleAction("acme", { ...RULE, id: target }),
          actions.setRuleEnabledAction("acme", { id: target, enabled: true }),
          actions.deleteRuleAction("acme", { id: target }),
        ]),
      );
      for (const answer of answers) expect(answer.error).toBe(NOTIFICATION_MESSAGES.ruleNotFound);
    }
    for (const target of [globexHook!.id, missing]) {
      const answers = await admin(() =>
        Promise.all([
          actions.updateChannelAction("acme", { kind: "webhook", id: target, name: "x", url: "http://127.0.0.1:9/h" }),
          actions.rotateWebhookSecretAction("acme", { id: target }),
          actions.deleteChannelAction("acme", { id: target }),
          actions.sendTestAction("acme", { id: target }),
        ]),
      );
      for (const answer of answers) expect(answer.error).toBe(NOTIFICATION_MESSAGES.channelNotFound);
      // Choosing it for a rule is refused as a channel that does not exist.
      expect((await admin(() => actions.createRuleAction("acme", { ...RULE, channelIds: [target] }))).error).toBe(
        NOTIFICATION_MESSAGES.unknownChannels,
      );
    }
    // A recipient from another organization is refused like a stranger.
    const email = await admin(() =>
      actions.createChannelAction("acme", {
        kind: "email",
        name: "Mixed",
        recipientUserIds: [id("admin@acme.test"), id("auditor@globex.test")],
      }),
    );
    expect(email.error).toMatch(/Only members of the organization/);
    expect(await counts()).toEqual(before);
    const [untouched] = await db()
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, globexHook!.id));
    expect(untouched).toMatchObject({ name: "Globex hook", url: "https://globex.test/h" });
  });
});

describe("bad input changes nothing", () => {
  it("refuses a condition the explorer refuses, with the explorer's words", async () => {
    const before = await counts();
    const bogus = await admin(() => actions.createRuleAction("acme", { ...RULE, query: "color:blue" }));
    expect(bogus.error).toMatch(/color:blue not applied: /);
    const preview = await admin(() =>
      actions.previewRuleAction("acme", { query: "color:blue", types: [], results: [] }),
    );
    expect(preview.data?.problems.join(" ")).toBe(bogus.error);
    expect(preview.data?.count).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it("refuses empty conditions, out-of-range thresholds, bad URLs and unknown kinds", async () => {
    const before = await counts();
    const refused = await admin(() =>
      Promise.all([
        actions.createRuleAction("acme", { ...RULE, query: "  ", results: [] }),
        actions.createRuleAction("acme", { ...RULE, name: "  " }),
        actions.createRuleAction("acme", { ...RULE, mode: "threshold", thresholdCount: 1, thresholdMinutes: 10 }),
        actions.createRuleAction("acme", { ...RULE, mode: "threshold", thresholdCount: 5, thresholdMinutes: 100_000 }),
        actions.createRuleAction("acme", { ...RULE, mode: "threshold", thresholdCount: null, thresholdMinutes: 10 }),
        actions.createRuleAction("acme", { ...RULE, types: ["nonsense"] } as unknown as RuleArg),
        actions.createRuleAction("acme", { ...RULE, query: "a\u0000b" }),
        actions.createChannelAction("acme", { kind: "webhook", name: "x", url: "ftp://example.com/h" }),
        actions.createChannelAction("acme", { kind: "webhook", name: "x", url: "not a url" }),
        actions.createChannelAction("acme", { kind: "webhook", name: "x", url: "https://user:pw@example.com/h" }),
        actions.createChannelAction("acme", { kind: "email", name: "x", recipientUserIds: [] }),
        actions.createChannelAction("acme", { kind: "sms", name: "x" } as unknown as {
          kind: "email";
          name: string;
          recipientUserIds: string[];
        }),
        actions.createRuleFromTemplateAction("acme", { key: "nope" }),
      ]),
    );
    for (const answer of refused) {
      expect(answer.data).toBeUndefined();
      expect(answer.error).toEqual(expect.any(String));
    }
    expect(refused[0]!.error).toMatch(/condition/);
    expect(refused[2]!.error).toMatch(/Use 2 to 1,000/);
    expect(refused[3]!.error).toMatch(/Use 1 to 1,440/);
    expect(refused[9]!.error).toMatch(/credentials/);
    expect(await counts()).toEqual(before);
  });

  it("refuses a webhook URL that reaches a private or metadata address, with the guard's message", async () => {
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: false });
    try {
      const before = await counts();
      for (const url of [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/h",
      ]) {
        const answer = await admin(() => actions.createChannelAction("acme", { kind: "webhook", name: "Inside", url }));
        expect(answer.error, url).toMatch(/webhooks may not reach it/);
        expect(answer.fieldErrors?.url, url).toBe(answer.error);
      }
      const hook = await db()
        .select({ id: notificationChannels.id })
        .from(notificationChannels)
        .where(eq(notificationChannels.orgId, seeded.orgs.acme))
        .limit(1);
      if (hook[0]) {
        const change = await admin(() =>
          actions.updateChannelAction("acme", {
            kind: "webhook",
            id: hook[0]!.id,
            name: "x",
            url: "http://127.0.0.1/x",
          }),
        );
        expect(change.error).toMatch(/webhooks may not reach it/);
      }
      expect(await counts()).toEqual(before);
    } finally {
      overrideEnv({ WEBHOOK_ALLOW_PRIVATE: true });
    }
  });
});

describe("rules", () => {
  it("creates, changes, pauses, switches on and deletes a rule, each with an audit entry holding before and after", async () => {
    const hook = await newWebhook("Rules hook");
    const { id: ruleId } = await newRule({ name: "Failed deletes", channelIds: [hook.id] });
    const [created] = await entriesOf("create_notification_rule");
    expect(created).toMatchObject({
      category: "audit",
      level: "notice",
      result: "done",
      actorEmail: "admin@acme.test",
      ip: "198.51.100.9",
      targetType: "notification_rule",
      targetId: ruleId,
      targetName: "Failed deletes",
      before: null,
      after: {
        name: "Failed deletes",
        query: "action:delete",
        results: ["failed"],
        mode: "each",
        enabled: true,
        channels: [{ id: hook.id, name: "Rules hook" }],
      },
    });

    const changed = await admin(() =>
      actions.updateRuleAction("acme", {
        ...RULE,
        id: ruleId,
        name: "Failed deletes",
        mode: "threshold",
        thresholdCount: 3,
        thresholdMinutes: 15,
        groupBy: "ip",
        channelIds: [],
      }),
    );
    expect(changed.data).toEqual({ id: ruleId, changed: true });
    const [update] = await entriesOf("update_notification_rule");
    expect(update).toMatchObject({
      targetId: ruleId,
      params: { changed: ["mode", "thresholdCount", "thresholdMinutes", "groupBy", "channels"] },
      before: { mode: "each", thresholdCount: null, groupBy: null, channels: [{ id: hook.id, name: "Rules hook" }] },
      after: { mode: "threshold", thresholdCount: 3, thresholdMinutes: 15, groupBy: "ip", channels: [] },
    });
    // Saving the same again changes nothing and writes nothing.
    const again = await admin(() =>
      actions.updateRuleAction("acme", {
        ...RULE,
        id: ruleId,
        mode: "threshold",
        thresholdCount: 3,
        thresholdMinutes: 15,
        groupBy: "ip",
        channelIds: [],
        name: "Failed deletes",
      }),
    );
    expect(again.data).toEqual({ id: ruleId, changed: false });
    expect(await entriesOf("update_notification_rule")).toHaveLength(1);

    await admin(() => actions.setRuleEnabledAction("acme", { id: ruleId, enabled: false }));
    expect((await entriesOf("pause_notification_rule"))[0]).toMatchObject({
      before: { enabled: true },
      after: { enabled: false },
    });
    await admin(() => actions.setRuleEnabledAction("acme", { id: ruleId, enabled: true }));
    expect((await entriesOf("enable_notification_rule"))[0]).toMatchObject({
      before: { enabled: false },
      after: { enabled: true },
    });

    expect((await admin(() => actions.deleteRuleAction("acme", { id: ruleId }))).data).toEqual({ id: ruleId });
    expect(await db().select().from(notificationRules).where(eq(notificationRules.id, ruleId))).toEqual([]);
    expect((await entriesOf("delete_notification_rule"))[0]).toMatchObject({
      targetId: ruleId,
      before: { name: "Failed deletes", mode: "threshold" },
      after: null,
    });
  });

  it("offers starting rules that are created paused, the failed sign-ins one as a threshold per user", async () => {
    const made = await admin(() => actions.createRuleFromTemplateAction("acme", { key: "failed-sign-ins" }));
    const [rule] = await db().select().from(notificationRules).where(eq(notificationRules.id, made.data!.id));
    expect(rule).toMatchObject({
      enabled: false,
      types: ["auth"],
      results: ["failed"],
      mode: "threshold",
      thresholdCount: 5,
      thresholdMinutes: 10,
      groupBy: "user",
    });
    const perms = await admin(() => actions.createRuleFromTemplateAction("acme", { key: "permission-changes" }));
    expect(perms.error).toBeUndefined();
    const settings = await admin(() => loadNotificationSettings("acme"));
    expect(settings.ok && settings.data.rules.find((r) => r.id === made.data!.id)?.enabled).toBe(false);
  });

  it("previews the 7-day count through the query core, with the explorer link of the same search", async () => {
    const now = Date.now();
    const actor = { id: id("admin@acme.test"), name: "Ada Admin", email: "admin@acme.test" };
    for (let i = 0; i < 3; i++)
      await recordConsoleEntry(
        db(),
        seeded.orgs.acme,
        actor,
        { ip: null, userAgent: null },
        {
          category: "vpn",
          action: "preview_probe",
          description: `probe ${i}`,
          service: "Test",
          target: null,
          result: i === 0 ? "failed" : "done",
        },
      );
    const preview = await admin(() =>
      actions.previewRuleAction("acme", { query: "action:preview_probe", types: ["vpn"], results: [] }),
    );
    expect(preview.data).toEqual({
      problems: [],
      count: { exact: true, count: 3 },
      searchHref: "/orgs/acme/audit-logs?type=vpn&q=action%3Apreview_probe",
    });
    const failedOnly = await admin(() =>
      actions.previewRuleAction("acme", { query: "action:preview_probe", types: ["vpn"], results: ["failed"] }),
    );
    expect(failedOnly.data?.count).toEqual({ exact: true, count: 1 });
    expect(Date.now() - now).toBeLessThan(30_000);
  });
});

describe("channels", () => {
  it("stores a webhook's secret sealed, answers it once, rotates it, and never writes it to the log", async () => {
    const created = await newWebhook("Sealed");
    const secret = created.secret!.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [row] = await db().select().from(notificationChannels).where(eq(notificationChannels.id, created.id));
    expect(row!.secretCiphertext).not.toContain(secret);
    expect(openSecret(row!.secretCiphertext!)).toBe(secret);

    // Never again: not in the page data, not in any entry.
    const settings = await admin(() => loadNotificationSettings("acme"));
    expect(JSON.stringify(settings)).not.toContain(secret);
    expect(JSON.stringify(settings)).not.toContain(row!.secretCiphertext!);

    const startedAt = Date.now();
    const rotated = await admin(() => actions.rotateWebhookSecretAction("acme", { id: created.id }));
    const fresh = rotated.data!.secret;
    expect(fresh).not.toBe(secret);
    const [after] = await db().select().from(notificationChannels).where(eq(notificationChannels.id, created.id));
    expect(openSecret(after!.secretCiphertext!)).toBe(fresh);
    // The replaced secret is kept sealed, to sign beside the new one for the 24-hour grace period.
    expect(after!.previousSecretCiphertext).toBe(row!.secretCiphertext);
    expect(openSecret(after!.previousSecretCiphertext!)).toBe(secret);
    expect(after!.previousSecretUntil!.getTime()).toBeGreaterThanOrEqual(startedAt + 24 * 3_600_000 - 1000);
    expect(after!.previousSecretUntil!.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000 + 1000);
    const [entry] = await entriesOf("rotate_webhook_secret");
    expect(entry).toMatchObject({ targetId: created.id, category: "audit" });
    expect(entry!.before).toMatchObject({ kind: "webhook", secret: "previous secret" });
    expect(entry!.after).toMatchObject({ kind: "webhook", secret: "new secret" });

    const everything = JSON.stringify(await db().select().from(auditLogs));
    for (const text of [secret, fresh, row!.secretCiphertext!, after!.secretCiphertext!])
      expect(everything).not.toContain(text);

    const list = await admin(() =>
      actions.createChannelAction("acme", {
        kind: "email",
        name: "No secret",
        recipientUserIds: [id("admin@acme.test")],
      }),
    );
    const email = await admin(() => actions.rotateWebhookSecretAction("acme", { id: list.data!.id }));
    expect(email.error).toMatch(/Only a webhook/);
  });

  it("creates, changes and deletes channels with before and after, keeping only the URL's origin in the log", async () => {
    const created = await admin(() =>
      actions.createChannelAction("acme", {
        kind: "email",
        name: "Security team",
        recipientUserIds: [id("admin@acme.test"), id("member@acme.test")],
      }),
    );
    expect(created.data?.secret).toBeNull();
    expect((await entriesOf("create_notification_channel"))[0]).toMatchObject({
      targetId: created.data!.id,
      after: { kind: "email", name: "Security team", recipients: ["admin@acme.test", "member@acme.test"] },
    });
    await admin(() =>
      actions.updateChannelAction("acme", {
        kind: "email",
        id: created.data!.id,
        name: "Security team",
        recipientUserIds: [id("admin@acme.test")],
      }),
    );
    expect((await entriesOf("update_notification_channel"))[0]).toMatchObject({
      params: { changed: ["recipients"] },
      before: { recipients: ["admin@acme.test", "member@acme.test"] },
      after: { recipients: ["admin@acme.test"] },
    });
    const kindChange = await admin(() =>
      actions.updateChannelAction("acme", {
        kind: "webhook",
        id: created.data!.id,
        name: "x",
        url: "http://127.0.0.1:9/h",
      }),
    );
    expect(kindChange.error).toMatch(/kind cannot change/);

    const hook = await admin(() =>
      actions.createChannelAction("acme", {
        kind: "webhook",
        name: "Chat",
        url: "http://127.0.0.1:9/services/T000/B000/token-in-path",
      }),
    );
    const [hookEntry] = await entriesOf("create_notification_channel");
    expect(hookEntry).toMatchObject({ after: { kind: "webhook", name: "Chat", url: "http://127.0.0.1:9/…" } });
    expect(JSON.stringify(hookEntry)).not.toContain("token-in-path");

    const ruleId = (await newRule({ name: "Uses chat", channelIds: [hook.data!.id] })).id;
    await admin(() => actions.deleteChannelAction("acme", { id: hook.data!.id }));
    expect((await entriesOf("delete_notification_channel"))[0]).toMatchObject({
      targetId: hook.data!.id,
      after: null,
      before: { kind: "webhook", name: "Chat" },
      params: { removedFromRules: [{ id: ruleId, name: "Uses chat" }] },
    });
    expect(
      await db().select().from(notificationRuleChannels).where(eq(notificationRuleChannels.ruleId, ruleId)),
    ).toEqual([]);
  });

  it("queues a test message on a channel and records who sent it", async () => {
    const hook = await newWebhook("Test target");
    const sent = await admin(() => actions.sendTestAction("acme", { id: hook.id }));
    expect(sent.error).toBeUndefined();
    const [delivery] = await db()
      .select()
      .from(notificationDeliveries)
      .where(and(eq(notificationDeliveries.channelId, hook.id), eq(notificationDeliveries.kind, "test")));
    expect(delivery).toMatchObject({ id: sent.data!.deliveryId, orgId: seeded.orgs.acme });
    expect((await entriesOf("test_notification_channel"))[0]).toMatchObject({
      category: "audit",
      targetId: hook.id,
      params: { deliveryId: sent.data!.deliveryId },
    });
    const settings = await admin(() => loadNotificationSettings("acme"));
    expect(settings.ok && settings.data.deliveries.map((d) => d.id)).toContain(sent.data!.deliveryId);
  });
});
