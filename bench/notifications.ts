import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { notificationChannels, notificationRuleChannels, notificationRules } from "@/db/schema";
import { sealSecret } from "@/lib/security/secret-box";
import type { HttpClient } from "./http-client";
import type { Summary } from "./measure";
import { arrivalLags, pacedIngestion, startBenchReceiver, waitForArrivals, type PacedIngestion } from "./pacing";
import { startPipelineSampler, type PipelineSamples } from "./pipeline-sampler";
import { int, ms, type TableRow } from "./report";
import type { Scenario } from "./scenarios";

/*
 * Notifications under ingestion: 20 rules in the largest organization (one, `level:notice`,
 * matches about 1 event in 23 and sends each to a webhook receiver on 127.0.0.1; the others are
 * the kind a security team writes and match rarely or never, five of them thresholds), ingestion
 * through the API paced at a target rate, and the same ingestion with every rule paused, side by
 * side in one run (off, on, off, on: each phase half of the time, so drift on the machine touches
 * both). Latency is from the ingestion API's 201 for a batch to the webhook's arrival at the
 * receiver, per entry; the console runs the worker in its own process, as it does by default.
 */

export interface NotificationBenchResult {
  rules: number;
  off: PacedIngestion;
  on: PacedIngestion;
  /** Ingestion rate with rules on over the rate with rules paused. */
  ratio: number;
  latency: Summary;
  webhooks: number;
  /** Notice-level entries ingested with rules on that got no webhook within the drain time. */
  missing: number;
  duplicates: number;
  /** Where the latency went, sampled during the phases with rules on. */
  pipeline: PipelineSamples;
}

const RULES: { name: string; query: string; types?: ("auth" | "vpn" | "secret" | "user")[]; mode?: "threshold" }[] = [
  { name: "Notice-level events", query: "level:notice" },
  { name: "Deletes of services", query: "action:delete type:service" },
  { name: "VPN failures", query: "result:failed", types: ["vpn"] },
  { name: "Secrets read", query: "action:read*", types: ["secret"] },
  { name: "Role changes", query: "action:change_role" },
  { name: "Permission grants", query: "action:grant*" },
  { name: "API keys", query: "action:create_api_key" },
  { name: "Retention changes", query: "action:update_retention" },
  { name: "From a private network", query: "ip:10.0.0.0/8" },
  { name: "Root user", query: "user:root@bench.test" },
  { name: "Drop table", query: '"drop table"' },
  { name: "Production database deletes", query: "action:delete resource:orders-db" },
  { name: "Exports", query: "action:export*" },
  { name: "Access requests", query: "action:request_access" },
  { name: "Domain changes", query: "type:domain -result:done" },
  { name: "Failed sign-ins per account", query: "result:failed", types: ["auth"], mode: "threshold" },
  { name: "Sign-ins per address", query: "action:login", types: ["auth"], mode: "threshold" },
  { name: "Token refresh storm", query: "action:token_refresh", mode: "threshold" },
  { name: "Backups failing", query: "type:backup result:failed", mode: "threshold" },
  { name: "Sync failures", query: "action:run_sync result:failed", mode: "threshold" },
];

export const NOTIFICATION_RULES = RULES.length;

interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  duplicates: number;
  close: () => Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const deliveries = new Set<string>();
  let duplicates = 0;
  const server = await startBenchReceiver("/bench-hook", (text, headers, at) => {
    const delivery = String(headers["x-audit-delivery"] ?? "");
    if (deliveries.has(delivery)) duplicates++;
    deliveries.add(delivery);
    try {
      const body = JSON.parse(text) as { entries: { id: string }[] };
      for (const e of body.entries) if (!arrivals.has(e.id)) arrivals.set(e.id, at);
    } catch {
      // Counted as missing below.
    }
  });
  return {
    url: server.url,
    arrivals,
    get duplicates() {
      return duplicates;
    },
    close: server.close,
  };
}

export async function installRules(handle: DatabaseHandle, orgId: string, url: string): Promise<string[]> {
  const db = handle.db;
  const [channel] = await db
    .insert(notificationChannels)
    .values({
      orgId,
      kind: "webhook",
      name: "bench receiver",
      url,
      secretCiphertext: sealSecret("bench-webhook-secret"),
    })
    .returning({ id: notificationChannels.id });
  const rules = await db
    .insert(notificationRules)
    .values(
      RULES.map((r) => ({
        orgId,
        name: r.name,
        query: r.query,
        types: r.types ?? [],
        mode: r.mode ?? ("each" as const),
        thresholdCount: r.mode ? 50 : null,
        thresholdMinutes: r.mode ? 5 : null,
        groupBy: r.mode ? ("user" as const) : null,
        enabled: false,
      })),
    )
    .returning({ id: notificationRules.id });
  await db.insert(notificationRuleChannels).values(rules.map((r) => ({ orgId, ruleId: r.id, channelId: channel!.id })));
  return rules.map((r) => r.id);
}

export async function setRules(handle: DatabaseHandle, orgId: string, enabled: boolean): Promise<void> {
  await handle.db.update(notificationRules).set({ enabled }).where(eq(notificationRules.orgId, orgId));
}

function merge(a: PacedIngestion, b: PacedIngestion): PacedIngestion {
  const events = a.events + b.events;
  const seconds = a.seconds + b.seconds;
  return {
    targetPerSecond: a.targetPerSecond,
    eventsPerSecond: Math.round(events / seconds),
    events,
    seconds,
    errors: a.errors + b.errors,
    firstError: a.firstError ?? b.firstError,
    // The phases' summaries side by side would need the samples; the worse of the two is reported.
    batch: a.batch.p95 >= b.batch.p95 ? a.batch : b.batch,
    explorer: a.explorer.p95 >= b.explorer.p95 ? a.explorer : b.explorer,
    explorerTail: a.explorer.p95 >= b.explorer.p95 ? a.explorerTail : b.explorerTail,
  };
}

export async function runNotificationBench(opts: {
  handle: DatabaseHandle;
  orgId: string;
  baseUrl: string;
  apiKey: string;
  perSecond: number;
  seconds: number;
  /** Rounds of paused-then-on phases: 2, or 1 in quick mode (CI, where figures are not read). */
  rounds: 1 | 2;
  explorer: HttpClient;
  slug: string;
  scenarios: Scenario[];
  log: (line: string) => void;
}): Promise<NotificationBenchResult> {
  const receiver = await startReceiver();
  const sampler = startPipelineSampler(opts.handle, opts.orgId);
  try {
    await installRules(opts.handle, opts.orgId, receiver.url);
    const ingested = new Map<string, number>();
    const phase = async (on: boolean) => {
      await setRules(opts.handle, opts.orgId, on);
      sampler.setActive(on);
      const result = await pacedIngestion({
        baseUrl: opts.baseUrl,
        apiKey: opts.apiKey,
        perSecond: opts.perSecond,
        seconds: opts.seconds / 2,
        senders: 8,
        explorer: opts.explorer,
        slug: opts.slug,
        scenarios: opts.scenarios,
        onStored: on ? (ids, notice, at) => ids.forEach((id, i) => notice[i] && ingested.set(id, at)) : undefined,
      });
      opts.log(
        `  rules ${on ? "on " : "off"}: ${result.eventsPerSecond.toLocaleString("en-US")} events/s of ${opts.perSecond.toLocaleString("en-US")} targeted, batch p95 ${Math.round(result.batch.p95)} ms, explorer p95 ${Math.round(result.explorer.p95)} ms (${result.explorerTail})${result.errors ? `, ${result.errors} errors (${result.firstError})` : ""}`,
      );
      return result;
    };
    // An "on" phase's messages are waited for (each of them, up to a bound) before the rules are
    // paused again: pausing them while the matcher still reads the phase's entries would lose those.
    const drain = async () => {
      await waitForArrivals(ingested, (id) => receiver.arrivals.has(id));
      sampler.setActive(false);
    };
    let off = await phase(false);
    let on = await phase(true);
    await drain();
    // A second round, so that neither state has the machine's warm-up or its late state alone.
    if (opts.rounds === 2) {
      off = merge(off, await phase(false));
      on = merge(on, await phase(true));
      await drain();
    }
    await setRules(opts.handle, opts.orgId, false);
    const pipeline = await sampler.stop();
    opts.log(
      `  where the time went (rules on, sampled every 0.5 s): horizon behind the clock median ${ms(pipeline.horizonLag.median)}, p95 ${ms(pipeline.horizonLag.p95)}; ` +
        `matcher cursor behind median ${ms(pipeline.cursorLag.median)}, p95 ${ms(pipeline.cursorLag.p95)}; ` +
        `oldest undelivered message median ${ms(pipeline.outboxAge.median)}, p95 ${ms(pipeline.outboxAge.p95)}`,
    );
    for (const h of pipeline.holders) opts.log(`    horizon held > 1 s by: ${h.statement} (${h.samples} samples)`);
    const { lag: latency, missing } = arrivalLags(ingested, (id) => receiver.arrivals.get(id));
    return {
      rules: RULES.length,
      off,
      on,
      ratio: off.eventsPerSecond === 0 ? 0 : on.eventsPerSecond / off.eventsPerSecond,
      latency,
      webhooks: receiver.arrivals.size,
      missing,
      duplicates: receiver.duplicates,
      pipeline,
    };
  } finally {
    await sampler.stop();
    await receiver.close();
  }
}

/** The phase's rows of the benchmark's table. */
export function notificationRows(r: NotificationBenchResult): TableRow[] {
  const rate = (p: PacedIngestion) => `${int(p.eventsPerSecond)} events/s`;
  return [
    {
      scenario: `notifications: ${r.rules} rules, ingestion at ${int(r.on.targetPerSecond)}/s, webhook latency (ingestion 201 → receiver)`,
      fullMedian: r.latency.median,
      fullP95: r.latency.p95,
      dbLimit: `${int(r.webhooks)} webhooks`,
      goal: `p95 ≤ ${NOTIFICATION_GOALS.latencyP95} ms, none missing or twice`,
      met: r.latency.p95 <= NOTIFICATION_GOALS.latencyP95 && r.missing === 0 && r.duplicates === 0,
      verdict: `p95 ${ms(r.latency.p95)}, ${r.missing} missing, ${r.duplicates} twice`,
    },
    {
      scenario: "notifications: ingestion with the rules paused",
      fullMedian: r.off.batch.median,
      fullP95: r.off.batch.p95,
      dbLimit: rate(r.off),
      goal: "(baseline)",
      met: null,
      verdict: `explorer p95 ${ms(r.off.explorer.p95)}`,
    },
    {
      scenario: "notifications: ingestion with the rules on",
      fullMedian: r.on.batch.median,
      fullP95: r.on.batch.p95,
      dbLimit: rate(r.on),
      goal: `≥ ${Math.round(NOTIFICATION_GOALS.ratio * 100)}% of the rate paused; explorer p95 as the goals say`,
      met: r.ratio >= NOTIFICATION_GOALS.ratio && r.on.errors === 0,
      verdict: `${Math.round(r.ratio * 100)}%, explorer p95 ${ms(r.on.explorer.p95)}`,
    },
  ];
}

export const NOTIFICATION_GOALS = { latencyP95: 5000, ratio: 0.9, eventsPerSecond: 2000 } as const;
