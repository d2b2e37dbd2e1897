import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { queryRows } from "@/db/client";
import {
  auditLogs,
  notificationChannels,
  notificationDeliveries,
  notificationRuleChannels,
  notificationRules,
  type AuditCategory,
  type AuditResult,
} from "@/db/schema";
import { seedDemoAccounts } from "@/db/seed";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { auditEventSchema, type AuditEventInput } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { recentDeliveries } from "@/lib/notifications/deliveries";
import { enqueueTestDelivery } from "@/lib/notifications/enqueue";
import { notificationJobs } from "@/lib/notifications/jobs";
import { matchBatch, notificationMatcher } from "@/lib/notifications/matcher";
import type { NotificationPayload } from "@/lib/notifications/payload";
import { FAILED_ACTION, sendDueDeliveries, type SenderOptions } from "@/lib/notifications/sender";
import { ruleSelection } from "@/lib/notifications/rule-search";
import { rotatedSecretColumns } from "@/lib/notifications/signing-secrets";
import { selectionWhere } from "@/lib/audit-log/where";
import { openSecret, sealSecret } from "@/lib/security/secret-box";
import { consumeArrivals, type ArrivalKeyConsumer } from "@/lib/worker/arrivals";
import { overrideEnv, resetEnv } from "../helpers/env-override";
import {
  decodeQuotedPrintable,
  ok,
  startHttpReceiver,
  startSmtpReceiver,
  verifySignature as verifyReceived,
  type HttpReceiver,
  type MailReceiver,
} from "../helpers/notification-receivers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

vi.mock("@/lib/env", () => import("../helpers/env-override"));

/*
 * Notifications end to end on a real database, a real SMTP server and a real HTTP receiver:
 * entries are stored, the matcher (an arrival consumer) writes the outbox, the sender delivers it.
 */

const ORIGIN = "http://console.test";
const SECRET = "whsec_test_0123456789abcdef";

let testDb: TestDatabase;
let acme: string;
let apiKey: string;
let users: Record<string, string>;
let smtp: MailReceiver;
let hook: HttpReceiver;

const NOW = { marginMs: 0 };
const FAST: SenderOptions = { retryDelay: () => 0, timeoutMs: 2000 };

async function match(): Promise<number> {
  await untilClockPassesStoredEntries(testDb.handle.db);
  return consumeArrivals(notificationMatcher, NOW);
}

async function ingest(events: unknown[]): Promise<{ id: string; url: string }[]> {
  const response = await POST(
    new Request(`${ORIGIN}/api/v1/audit-events`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${apiKey}`,
        host: "console.test",
        "x-forwarded-host": "console.test",
        "x-forwarded-proto": "http",
      },
      body: JSON.stringify({ events }),
    }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { entries: { id: string; url: string }[] }).entries;
}

async function store(events: AuditEventInput[]): Promise<string[]> {
  const parsed = events.map((e) => auditEventSchema.parse(e));
  return (await storeAuditEvents(testDb.handle.db, acme, parsed)).map((s) => s.id);
}

async function webhookChannel(url: string, name = "Hook"): Promise<string> {
  const [row] = await testDb.handle.db
    .insert(notificationChannels)
    .values({ orgId: acme, kind: "webhook", name, url, secretCiphertext: sealSecret(SECRET) })
    .returning({ id: notificationChannels.id });
  return row!.id;
}

async function emailChannel(recipients: string[]): Promise<string> {
  const [row] = await testDb.handle.db
    .insert(notificationChannels)
    .values({ orgId: acme, kind: "email", name: "Security team", recipientUserIds: recipients })
    .returning({ id: notificationChannels.id });
  return row!.id;
}

interface RuleInput {
  name: string;
  query?: string;
  types?: AuditCategory[];
  results?: AuditResult[];
  mode?: "each" | "threshold";
  thresholdCount?: number;
  thresholdMinutes?: number;
  groupBy?: "user" | "ip" | null;
}

async function rule(input: RuleInput, channelIds: string[]): Promise<string> {
  const db = testDb.handle.db;
  const [row] = await db
    .insert(notificationRules)
    .values({ orgId: acme, enabled: true, ...input })
    .returning({ id: notificationRules.id });
  await db
    .insert(notificationRuleChannels)
    .values(channelIds.map((channelId) => ({ orgId: acme, ruleId: row!.id, channelId })));
  return row!.id;
}

async function deliveriesOf(ruleId: string | null, channelId?: string) {
  const d = notificationDeliveries;
  return testDb.handle.db
    .select()
    .from(d)
    .where(
      and(
        ruleId === null ? sql`${d.ruleId} is null` : eq(d.ruleId, ruleId),
        channelId ? eq(d.channelId, channelId) : undefined,
      ),
    )
    .orderBy(asc(d.createdAt), asc(d.dedupeKey));
}

const verifySignature = (body: string, header: string | string[] | undefined, secret = SECRET) =>
  verifyReceived(body, header, secret);

/** Runs the sender until the message has settled (delivered or failed), a bounded number of times. */
async function sendUntilSettled(deliveryId: string, options: SenderOptions = FAST): Promise<string> {
  for (let i = 0; i < 20; i++) {
    await sendDueDeliveries(options);
    const [row] = await testDb.handle.db
      .select({ status: notificationDeliveries.status })
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.id, deliveryId));
    if (row!.status === "delivered" || row!.status === "failed") return row!.status;
  }
  throw new Error(`delivery ${deliveryId} did not settle`);
}

function failedSignIn(email: string, userId: string | null, at: Date, ip = "198.51.100.9"): AuditEventInput {
  return {
    occurredAt: at.toISOString(),
    actor: userId ? { id: userId, name: email, email } : null,
    category: "auth",
    action: "login",
    description: `failed sign-in for ${email}`,
    target: { type: "user", id: userId, name: email },
    result: "failed",
    level: "notice",
    ip,
  };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const seeded = await seedDemoAccounts(testDb.handle.db);
  acme = seeded.orgs.acme;
  users = seeded.users;
  apiKey = (await createApiKey(testDb.handle.db, { orgId: acme, name: "ci", createdBy: null })).secret;
  smtp = await startSmtpReceiver();
  hook = await startHttpReceiver();
  overrideEnv({
    APP_URL: ORIGIN,
    SMTP_URL: smtp.url,
    SMTP_FROM: "Audit <audit@console.test>",
    WEBHOOK_ALLOW_PRIVATE: true,
  });
  // The matcher starts at "now": its cursors are made before anything is stored.
  await match();
});

afterEach(async () => {
  // Each test's rules and messages are its own.
  await testDb.handle.db.update(notificationRules).set({ enabled: false });
  await testDb.handle.db.delete(notificationDeliveries);
  hook.requests.length = 0;
  hook.answer = ok;
  smtp.messages.length = 0;
});

afterAll(async () => {
  resetEnv();
  await smtp?.close();
  await hook?.close();
  await testDb?.drop();
});

describe("a notice-level event", () => {
  it("produces one e-mail and one webhook whose signature verifies and whose permalink is the entry's", async () => {
    const webhook = await webhookChannel(hook.url);
    const email = await emailChannel([users["manager@acme.test"]!, users["member@acme.test"]!]);
    const ruleId = await rule({ name: "Notice-level events", query: "level:notice" }, [webhook, email]);

    const [notice] = await ingest([
      {
        occurredAt: new Date().toISOString(),
        actor: { id: "u_1", name: "Kim <b>Lee</b>", email: "kim@acme.test" },
        category: "service",
        action: "deploy",
        description: "deploy <script>alert(1)</script> to production",
        target: { type: "service", id: "svc_9", name: "checkout" },
        result: "failed",
        level: "notice",
      },
      {
        occurredAt: new Date().toISOString(),
        category: "service",
        action: "read",
        result: "done",
        level: "information",
      },
    ]);
    expect(await match()).toBe(2);
    const stored = await deliveriesOf(ruleId);
    expect(stored).toHaveLength(2);
    expect(stored.every((d) => d.dedupeKey === notice!.id && d.kind === "each")).toBe(true);

    await sendDueDeliveries(FAST);

    // The webhook: one request, signed, with the delivery id and the contract's body.
    expect(hook.requests).toHaveLength(1);
    const request = hook.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(verifySignature(request.body, request.headers["x-audit-signature"])).toBe(true);
    expect(verifySignature(`${request.body} `, request.headers["x-audit-signature"])).toBe(false);
    const webhookDelivery = stored.find((d) => d.channelId === webhook)!;
    expect(request.headers["x-audit-delivery"]).toBe(webhookDelivery.id);
    const body = JSON.parse(request.body) as NotificationPayload;
    expect(body.rule).toEqual({ id: ruleId, name: "Notice-level events" });
    expect(body.organization).toBe("acme");
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({
      id: notice!.id,
      url: notice!.url,
      category: "service",
      action: "deploy",
      result: "failed",
      level: "notice",
      actor: { id: "u_1", name: "Kim <b>Lee</b>", email: "kim@acme.test" },
      target: { type: "service", id: "svc_9", name: "checkout" },
    });
    expect(notice!.url).toBe(`${ORIGIN}/orgs/acme/audit-logs/${notice!.id}`);
    expect(body.text).toContain(notice!.url);
    expect(body.text).not.toMatch(/\n/);
    expect(body.searchUrl).toBeUndefined();

    // The e-mail: to the manager only (the member has no audit.view), with the permalink in both
    // parts and the log data escaped in the HTML.
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(["manager@acme.test"]);
    expect(mail.from).toBe("audit@console.test");
    const raw = decodeQuotedPrintable(mail.raw);
    expect(raw).toContain("text/plain");
    expect(raw).toContain("text/html");
    expect(raw.split(notice!.url).length - 1).toBeGreaterThanOrEqual(2);
    expect(raw).toContain("deploy &lt;script&gt;alert(1)&lt;/script&gt; to production");
    expect(raw).not.toContain("<script>alert(1)</script>\n<br>");
    expect(raw).not.toMatch(/<li>[^\n]*<script>/);
    expect(raw).toContain(`X-Audit-Delivery: ${stored.find((d) => d.channelId === email)!.id}`);

    const settled = await deliveriesOf(ruleId);
    expect(settled.map((d) => d.status)).toEqual(["delivered", "delivered"]);
    const emailDelivery = settled.find((d) => d.channelId === email)!;
    expect(emailDelivery.detail).toContain("skipped 1 recipient without audit.view: member@acme.test");

    // The settings page's list says the same.
    const recent = await recentDeliveries(acme, 10);
    expect(recent.filter((d) => d.ruleName === "Notice-level events").map((d) => d.status)).toEqual([
      "delivered",
      "delivered",
    ]);

    // Matching again finds nothing new, and sending again sends nothing.
    expect(await match()).toBe(0);
    await sendDueDeliveries(FAST);
    expect(hook.requests).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("matches the console's own entries too (a failed sign-in it wrote itself)", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Failed sign-ins", types: ["auth"], results: ["failed"] }, [webhook]);
    const { recordSignInFailure } = await import("@/lib/audit/auth-events");
    await recordSignInFailure(
      "manager@acme.test",
      { id: users["manager@acme.test"]!, name: "Manager", email: "manager@acme.test" },
      "invalid_credentials",
      { ip: "203.0.113.5", userAgent: "test" },
    );
    await match();
    expect(await deliveriesOf(ruleId)).toHaveLength(1);
  });

  it("fails an e-mail clearly when SMTP is not configured, and writes that to the log", async () => {
    overrideEnv({ SMTP_URL: undefined });
    try {
      const email = await emailChannel([users["manager@acme.test"]!]);
      const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [email]);
      await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
      await match();
      const [delivery] = await deliveriesOf(ruleId);
      expect(await sendUntilSettled(delivery!.id)).toBe("failed");
      const [failed] = await deliveriesOf(ruleId);
      expect(failed!.lastError).toBe("SMTP is not configured (set SMTP_URL)");
      expect(failed!.attempts).toBe(1);
      const entries = await testDb.handle.db
        .select({ category: auditLogs.category, description: auditLogs.description })
        .from(auditLogs)
        .where(
          and(eq(auditLogs.orgId, acme), eq(auditLogs.action, FAILED_ACTION), eq(auditLogs.targetId, delivery!.id)),
        );
      expect(entries).toHaveLength(1);
      expect(entries[0]!.category).toBe("audit");
      expect(entries[0]!.description).toContain("SMTP is not configured");
    } finally {
      overrideEnv({ SMTP_URL: smtp.url });
    }
  });
});

describe("threshold rules", () => {
  it("fire once per window and group", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule(
      {
        name: "3 failed sign-ins for one account in 10 minutes",
        types: ["auth"],
        results: ["failed"],
        mode: "threshold",
        thresholdCount: 3,
        thresholdMinutes: 10,
        groupBy: "user",
      },
      [webhook],
    );
    const t0 = Date.now() - 60 * 60_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    const x = randomUUID();
    const y = randomUUID();
    // X: three within 2 minutes (fires at +2); Y: two (never enough).
    const first = await store([
      failedSignIn("x@acme.test", x, at(0)),
      failedSignIn("x@acme.test", x, at(1)),
      failedSignIn("y@acme.test", y, at(1)),
      failedSignIn("x@acme.test", x, at(2)),
      failedSignIn("y@acme.test", y, at(3)),
    ]);
    await match();
    let fired = await deliveriesOf(ruleId);
    expect(fired).toHaveLength(1);
    const payload = fired[0]!.payload as NotificationPayload;
    expect(payload.entries.map((e) => e.id).sort()).toEqual([first[0], first[1], first[3]].sort());
    expect(payload.searchUrl).toContain(`${ORIGIN}/orgs/acme/audit-logs?`);
    const search = new URL(payload.searchUrl!).searchParams;
    expect(search.get("period")).toBe("custom");
    expect(search.get("user")).toBe(x);
    expect(search.get("type")).toBe("auth");
    expect(search.get("result")).toBe("failed");
    expect(payload.text).toContain("3 matching entries within 10 min for " + x);

    // Three more for X within the window after the firing (+2 .. +12): no second message,
    // whether they arrive in one batch or in several.
    await store([failedSignIn("x@acme.test", x, at(3))]);
    await match();
    await store([failedSignIn("x@acme.test", x, at(4)), failedSignIn("x@acme.test", x, at(5))]);
    await match();
    expect(await deliveriesOf(ruleId)).toHaveLength(1);

    // After the window (+13): (+3, +13] holds +4, +5 and +13, none of them counted before.
    const later = await store([failedSignIn("x@acme.test", x, at(13))]);
    await match();
    fired = await deliveriesOf(ruleId);
    expect(fired).toHaveLength(2);
    const second = fired[1]!.payload as NotificationPayload;
    expect(second.entries.map((e) => e.id)[0]).toBe(later[0]);
    expect(second.entries).toHaveLength(3);

    await sendDueDeliveries(FAST);
    expect(hook.requests).toHaveLength(2);
  });

  it("lists in each firing's message its own group's newest entries, when many groups fire in one batch", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule(
      {
        name: "22 failed sign-ins per account",
        types: ["auth"],
        results: ["failed"],
        mode: "threshold",
        thresholdCount: 22,
        thresholdMinutes: 10,
        groupBy: "user",
      },
      [webhook],
    );
    const t0 = Date.now() - 40 * 60_000;
    const accounts = Array.from({ length: 30 }, (_, i) => ({ email: `many${i}@acme.test`, id: randomUUID() }));
    // Each account: 24 failures a few seconds apart, interleaved with the others', all in one batch.
    const events = Array.from({ length: 24 }, (_, k) =>
      accounts.map((a, i) => failedSignIn(a.email, a.id, new Date(t0 + k * 5_000 + i * 100))),
    ).flat();
    const ids = await store(events);
    await match();
    const fired = await deliveriesOf(ruleId);
    expect(fired).toHaveLength(accounts.length);
    // An account's ids in the order it failed (events go round the accounts).
    const idsOf = new Map<string, string[]>(accounts.map((a) => [a.id, []]));
    events.forEach((e, n) => idsOf.get(e.actor!.id!)!.push(ids[n]!));
    const users = new Set<string>();
    for (const delivery of fired) {
      const payload = delivery.payload as NotificationPayload;
      const user = new URL(payload.searchUrl!).searchParams.get("user")!;
      users.add(user);
      // Fired at the account's 22nd failure: the message lists its newest 20, the 22nd to the 3rd.
      expect(payload.entries.map((e) => e.id)).toEqual(idsOf.get(user)!.slice(2, 22).reverse());
    }
    expect(users.size).toBe(accounts.length);
  });

  it("counts every group apart when grouped by IP, and all entries when not grouped", async () => {
    const webhook = await webhookChannel(hook.url);
    const byIp = await rule(
      {
        name: "by ip",
        query: "action:probe",
        mode: "threshold",
        thresholdCount: 2,
        thresholdMinutes: 5,
        groupBy: "ip",
      },
      [webhook],
    );
    const all = await rule(
      { name: "all", query: "action:probe", mode: "threshold", thresholdCount: 3, thresholdMinutes: 5, groupBy: null },
      [webhook],
    );
    const t0 = Date.now() - 30 * 60_000;
    const probe = (ip: string, s: number): AuditEventInput => ({
      occurredAt: new Date(t0 + s * 1000).toISOString(),
      category: "infra",
      action: "probe",
      result: "done",
      ip,
    });
    await store([probe("10.0.0.1", 0), probe("10.0.0.2", 1), probe("10.0.0.1", 2), probe("10.0.0.3", 3)]);
    await match();
    const ipFired = await deliveriesOf(byIp);
    expect(ipFired).toHaveLength(1);
    expect(new URL((ipFired[0]!.payload as NotificationPayload).searchUrl!).searchParams.get("q")).toBe(
      "action:probe ip:10.0.0.1",
    );
    expect(await deliveriesOf(all)).toHaveLength(1);
  });
});

describe("what a rule matches", () => {
  it("is, for every kind of condition, exactly what the explorer's WHERE selects for the same search", async () => {
    const webhook = await webhookChannel(hook.url);
    const conditions: RuleInput[] = [
      { name: "notice", query: "level:notice" },
      { name: "service deletes", query: "action:delete type:service" },
      { name: "vpn failures", query: "result:failed", types: ["vpn"] },
      { name: "secret reads", query: "action:read*", types: ["secret"] },
      { name: "private network", query: "ip:10.0.0.0/8" },
      { name: "one user", query: "user:root@bench.test" },
      { name: "phrase", query: '"drop table"' },
      { name: "negation", query: "type:domain -result:done" },
      { name: "word and short word", query: "sign in" },
      { name: "no ip", query: "-ip:10.0.0.0/8", results: ["pending", "processing"] },
    ];
    const ruleIds = [];
    for (const condition of conditions) ruleIds.push(await rule(condition, [webhook]));

    const categories = ["service", "vpn", "secret", "domain", "auth", "database"] as const;
    const actions = ["delete", "delete_profile", "read_secret", "read", "login", "update"];
    const results = ["done", "failed", "pending", "processing"] as const;
    const t0 = Date.now() - 20 * 60_000;
    const events: AuditEventInput[] = Array.from({ length: 120 }, (_, i) => ({
      occurredAt: new Date(t0 + i * 1000).toISOString(),
      actor:
        i % 7 === 0
          ? { id: null, name: "Root", email: i % 2 ? "ROOT@bench.test" : "root@bench.test" }
          : { id: `u-${i % 5}`, name: `User ${i % 5}`, email: `user${i % 5}@bench.test` },
      category: categories[i % categories.length]!,
      action: actions[i % actions.length]!,
      description: i % 11 === 0 ? "ran DROP TABLE orders" : i % 13 === 0 ? "user could not sign in" : "routine",
      target: { type: "db", id: `t-${i % 3}`, name: i % 3 ? "orders-db" : "users-db" },
      result: results[i % results.length]!,
      level: i % 4 === 0 ? "notice" : "information",
      ip: i % 9 === 0 ? undefined : i % 2 ? `10.0.${i % 4}.${i}` : `203.0.113.${i}`,
    }));
    const ids = await store(events);
    await match();

    const window = { from: new Date(t0), to: new Date(t0 + 119 * 1000) };
    for (const [index, condition] of conditions.entries()) {
      const delivered = (await deliveriesOf(ruleIds[index]!)).map((d) => d.dedupeKey).sort();
      const selection = ruleSelection(acme, { query: "", types: [], results: [], ...condition }, window);
      const listed = await queryRows<{ id: string }>(
        testDb.handle.db,
        sql`select id from audit_logs where ${selectionWhere(auditLogs, selection)} and id = any(${sql.param(ids)}::uuid[])`,
      );
      expect({ rule: condition.name, ids: delivered }).toEqual({
        rule: condition.name,
        ids: listed.map((r) => r.id).sort(),
      });
    }
    // The conditions are not all empty or all full: the comparison above could fail.
    const sizes = await Promise.all(ruleIds.map(async (id) => (await deliveriesOf(id)).length));
    expect(sizes.filter((n) => n > 0 && n < events.length).length).toBeGreaterThanOrEqual(8);
  });
});

describe("delivery", () => {
  it("retries a receiver that answers 500 three times, then delivers once more with the same delivery id", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    hook.answer = (_req, res, index) => {
      res.writeHead(index < 3 ? 500 : 200).end();
    };
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    const [delivery] = await deliveriesOf(ruleId);
    // Each failed attempt schedules the next one later; the test's sender waits 0 ms instead.
    await sendDueDeliveries(FAST);
    const [afterFirst] = await deliveriesOf(ruleId);
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1, lastError: "the receiver answered HTTP 500" });
    expect(await sendUntilSettled(delivery!.id)).toBe("delivered");
    expect(hook.requests).toHaveLength(4);
    expect(new Set(hook.requests.map((r) => r.headers["x-audit-delivery"]))).toEqual(new Set([delivery!.id]));
    expect(new Set(hook.requests.map((r) => r.body)).size).toBe(1);
    const [done] = await deliveriesOf(ruleId);
    expect(done).toMatchObject({ status: "delivered", attempts: 4, lastError: null });
    await sendDueDeliveries(FAST);
    expect(hook.requests).toHaveLength(4);
  });

  it("schedules a retry later, with backoff, when no test clock is given", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    hook.answer = (_req, res) => {
      res.writeHead(503).end();
    };
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    const before = Date.now();
    await sendDueDeliveries({ timeoutMs: 2000 });
    const [row] = await deliveriesOf(ruleId);
    expect(row!.status).toBe("pending");
    // Attempt 1's pause is 15-30 s.
    expect(row!.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(14_000);
    expect(row!.nextAttemptAt.getTime() - before).toBeLessThanOrEqual(31_000);
    expect(await sendDueDeliveries({ timeoutMs: 2000 })).toBe(0);
  });

  it("ends in the failed state when the receiver never answers, writes it to the log, and does not hold up another channel", async () => {
    const silent = await webhookChannel(`${hook.url}/silent`, "Silent hook");
    const working = await webhookChannel(`${hook.url}/working`, "Working hook");
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [silent, working]);
    hook.answer = (req, res) => {
      // The silent path never answers (its connection is closed when the test's receiver stops).
      if (!req.path.endsWith("/silent")) res.writeHead(204).end();
    };
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    const [silentDelivery] = await deliveriesOf(ruleId, silent);
    const options: SenderOptions = { retryDelay: () => 0, timeoutMs: 300 };
    expect(await sendUntilSettled(silentDelivery!.id, options)).toBe("failed");
    const [failed] = await deliveriesOf(ruleId, silent);
    expect(failed).toMatchObject({ status: "failed", attempts: 6 });
    expect(failed!.lastError).toContain("timed out");
    const [other] = await deliveriesOf(ruleId, working);
    expect(other).toMatchObject({ status: "delivered", attempts: 1 });
    expect(hook.requests.filter((r) => r.path.endsWith("/silent"))).toHaveLength(6);
    const entries = await testDb.handle.db
      .select({ category: auditLogs.category, result: auditLogs.result, params: auditLogs.params })
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, acme), eq(auditLogs.action, FAILED_ACTION), eq(auditLogs.targetId, failed!.id)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ category: "audit", result: "failed" });
    expect(entries[0]!.params).toMatchObject({ deliveryId: failed!.id, channelName: "Silent hook", attempts: 6 });
    expect(JSON.stringify(entries)).not.toContain(SECRET);
  });

  it("the worker's sender keeps sending other messages while a receiver takes its whole timeout", async () => {
    const silent = await webhookChannel(`${hook.url}/silent`, "Silent hook");
    const working = await webhookChannel(`${hook.url}/working`, "Working hook");
    hook.answer = (req, res) => {
      if (!req.path.endsWith("/silent")) res.writeHead(204).end();
    };
    const [, sender] = notificationJobs({ sender: { timeoutMs: 1500, maxAttempts: 1 } });
    const context = { signal: new AbortController().signal };
    const slow = await enqueueTestDelivery({ orgId: acme, channelId: silent, actorUserId: null });
    expect(await sender!.run(context)).toBe(1);
    const fast = await enqueueTestDelivery({ orgId: acme, channelId: working, actorUserId: null });
    expect(await sender!.run(context)).toBe(1);
    const statusOf = async (id: string | null) =>
      (
        await testDb.handle.db
          .select({ status: notificationDeliveries.status })
          .from(notificationDeliveries)
          .where(eq(notificationDeliveries.id, id!))
      )[0]!.status;
    // The working receiver's message settles while the silent one is still being waited for.
    for (let i = 0; i < 50 && (await statusOf(fast)) !== "delivered"; i++) await sender!.run(context);
    expect(await statusOf(fast)).toBe("delivered");
    expect(await statusOf(slow)).toBe("sending");
    // Then everything in flight settles (the silent one fails: one attempt allowed here).
    for (let i = 0; i < 50 && (await sender!.run(context)) > 0; i++);
    expect(await statusOf(slow)).toBe("failed");
  });

  it("does not follow a redirect: it is a failed attempt", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    hook.answer = (_req, res) => {
      res.writeHead(307, { Location: `${hook.url}/elsewhere` }).end();
    };
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    await sendDueDeliveries({ timeoutMs: 2000 });
    const [row] = await deliveriesOf(ruleId);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row!.lastError).toContain("HTTP 307 (a redirect; redirects are not followed)");
    expect(hook.requests.map((r) => r.path)).toEqual(["/hooks/audit"]);
  });

  it("refuses at send time a webhook that points at a private address, unless allowed", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    const [delivery] = await deliveriesOf(ruleId);
    expect(await sendUntilSettled(delivery!.id, { ...FAST, allowPrivate: false })).toBe("failed");
    const [failed] = await deliveriesOf(ruleId);
    expect(failed!.lastError).toContain("127.0.0.1 is a loopback address");
    expect(failed!.lastError).not.toContain("/hooks/audit");
    expect(hook.requests).toHaveLength(0);
  });

  it("sends a test message through the same path, marked as a test", async () => {
    const webhook = await webhookChannel(hook.url);
    const id = await enqueueTestDelivery({ orgId: acme, channelId: webhook, actorUserId: users["admin@acme.test"]! });
    expect(id).not.toBeNull();
    expect(await enqueueTestDelivery({ orgId: acme, channelId: randomUUID(), actorUserId: null })).toBeNull();
    await sendDueDeliveries(FAST);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.headers["x-audit-delivery"]).toBe(id);
    expect(verifySignature(hook.requests[0]!.body, hook.requests[0]!.headers["x-audit-signature"])).toBe(true);
    const body = JSON.parse(hook.requests[0]!.body) as NotificationPayload;
    expect(body.test).toBe(true);
    expect(body.entries[0]!.actor?.email).toBe("admin@acme.test");
    const recent = await recentDeliveries(acme, 5);
    expect(recent[0]).toMatchObject({ id, kind: "test", status: "delivered", ruleName: null, channelName: "Hook" });
  });
  it("after a secret rotation signs with the new and the old secret for the grace period, then with the new one only", async () => {
    const webhook = await webhookChannel(hook.url);
    const [stored] = await testDb.handle.db
      .select({ secretCiphertext: notificationChannels.secretCiphertext })
      .from(notificationChannels)
      .where(eq(notificationChannels.id, webhook));
    // The columns the "Rotate secret" action writes (its answer and entry: notification-settings.test.ts).
    const { secret: fresh, columns } = rotatedSecretColumns(stored!.secretCiphertext!, new Date());
    expect(openSecret(columns.previousSecretCiphertext!)).toBe(SECRET);
    await testDb.handle.db.update(notificationChannels).set(columns).where(eq(notificationChannels.id, webhook));
    const actor = users["admin@acme.test"]!;

    const inGrace = await enqueueTestDelivery({ orgId: acme, channelId: webhook, actorUserId: actor });
    await sendDueDeliveries(FAST);
    const first = hook.requests.find((r) => r.headers["x-audit-delivery"] === inGrace)!;
    const current = first.headers["x-audit-signature"] as string;
    const previous = first.headers["x-audit-signature-previous"] as string;
    expect(verifySignature(first.body, current, fresh)).toBe(true);
    expect(verifySignature(first.body, current, SECRET)).toBe(false);
    expect(verifySignature(first.body, previous, SECRET)).toBe(true);
    expect(verifySignature(`${first.body} `, previous, SECRET)).toBe(false);

    // The grace period over (its stored end moved into the past stands for the 24 hours passing).
    await testDb.handle.db
      .update(notificationChannels)
      .set({ previousSecretUntil: new Date(Date.now() - 1000) })
      .where(eq(notificationChannels.id, webhook));
    const afterGrace = await enqueueTestDelivery({ orgId: acme, channelId: webhook, actorUserId: actor });
    await sendDueDeliveries(FAST);
    const second = hook.requests.find((r) => r.headers["x-audit-delivery"] === afterGrace)!;
    const single = second.headers["x-audit-signature"] as string;
    expect(single).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(second.body, single, fresh)).toBe(true);
    expect(verifySignature(second.body, single, SECRET)).toBe(false);
    expect(second.headers["x-audit-signature-previous"]).toBeUndefined();
  });
});

describe("restarts and concurrent workers", () => {
  it("a matcher that dies mid-batch loses and duplicates nothing", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    // The crash: the batch's messages are written, then the process dies before the cursor commits.
    const crashing: ArrivalKeyConsumer = {
      ...notificationMatcher,
      async handle(tx, orgId, entries) {
        await matchBatch(tx, orgId, entries);
        throw new Error("killed mid-batch");
      },
    };
    const ids = await store(
      Array.from({ length: 7 }, (_, i) => ({
        occurredAt: new Date(Date.now() - i * 1000).toISOString(),
        category: "service" as const,
        action: "deploy",
        result: "done" as const,
      })),
    );
    await expect(consumeArrivals(crashing, { ...NOW, batchSize: 4 })).rejects.toThrow("killed mid-batch");
    expect(await deliveriesOf(ruleId)).toHaveLength(0);
    // Restarted: batches of 4 then 3; every entry once.
    await consumeArrivals(notificationMatcher, { ...NOW, batchSize: 4 });
    await consumeArrivals(notificationMatcher, { ...NOW, batchSize: 4 });
    expect((await deliveriesOf(ruleId)).map((d) => d.dedupeKey).sort()).toEqual([...ids].sort());
  });

  it("a sender that dies between claim and outcome: the message is sent again after the lease, with the same id", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    await store([{ occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done" }]);
    await match();
    const [delivery] = await deliveriesOf(ruleId);
    // What a worker leaves behind when it is killed after its claim committed: `sending`, attempt counted.
    await testDb.handle.db
      .update(notificationDeliveries)
      .set({ status: "sending", attempts: 1, leaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(notificationDeliveries.id, delivery!.id));
    // Its lease has not run out: nobody else takes it.
    expect(await sendDueDeliveries(FAST)).toBe(0);
    await testDb.handle.db
      .update(notificationDeliveries)
      .set({ leaseUntil: new Date(Date.now() - 1) })
      .where(eq(notificationDeliveries.id, delivery!.id));
    expect(await sendDueDeliveries(FAST)).toBe(1);
    const [done] = await deliveriesOf(ruleId);
    expect(done).toMatchObject({ status: "delivered", attempts: 2 });
    expect(hook.requests.map((r) => r.headers["x-audit-delivery"])).toEqual([delivery!.id]);
  });
});

// Concurrency needs a second connection, which only the server database has.
const onServer = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

describe.each(onServer ? ["server database"] : [])("several workers at once on the %s", () => {
  it("share matching and sending without a message twice", async () => {
    const webhook = await webhookChannel(hook.url);
    const ruleId = await rule({ name: "Deploys", query: "action:deploy" }, [webhook]);
    const ids = await store(
      Array.from({ length: 60 }, (_, i) => ({
        occurredAt: new Date(Date.now() - i * 100).toISOString(),
        category: "service" as const,
        action: "deploy",
        result: "done" as const,
      })),
    );
    // Two matchers racing over the same organization, in small batches.
    for (let i = 0; i < 20; i++) {
      await Promise.all([
        consumeArrivals(notificationMatcher, { ...NOW, batchSize: 5 }),
        consumeArrivals(notificationMatcher, { ...NOW, batchSize: 5 }),
      ]);
    }
    const stored = await deliveriesOf(ruleId);
    expect(stored.map((d) => d.dedupeKey).sort()).toEqual([...ids].sort());
    // Three senders racing over the outbox.
    for (let i = 0; i < 10; i++) {
      await Promise.all([
        sendDueDeliveries({ ...FAST, batchSize: 7 }),
        sendDueDeliveries({ ...FAST, batchSize: 7 }),
        sendDueDeliveries({ ...FAST, batchSize: 7 }),
      ]);
    }
    const sent = hook.requests.map((r) => r.headers["x-audit-delivery"]);
    expect(sent).toHaveLength(60);
    expect(new Set(sent).size).toBe(60);
    const rows = await queryRows<{ n: number | string }>(
      testDb.handle.db,
      sql`select count(*) as n from notification_deliveries where rule_id = ${ruleId} and status = 'delivered'`,
    );
    expect(Number(rows[0]!.n)).toBe(60);
  });
});
