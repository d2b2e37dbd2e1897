import { isNavigationPayload, type Navigation } from "./client-navigation";
import type { HttpClient } from "./http-client";
import { sleep, summarize, type Summary } from "./measure";
import { explorerPath, type Scenario } from "./scenarios";

/*
 * The mixed load: N signed-in clients browse the scenarios, each starting at a different one,
 * while `background` (one export) runs. A person reads a page before the next click: each client
 * waits a random think time in [thinkMs[0], thinkMs[1]] between its requests. With [0, 0] the
 * clients fire back to back, which measures the console's capacity rather than people's waits.
 * It lasts until the background work is done and at least `minSeconds`.
 * Without `navigation` every click is a full HTML page load (the worst case: a person opening
 * links in new tabs); with it, every click is the client-side navigation a browser makes.
 */

export interface MixedLoadResult {
  clients: number;
  thinkMs: [number, number];
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  firstError: string | null;
  ttfb: Summary;
  full: Summary;
  background: unknown;
  /** Full response time per scenario, and during / after the background export. */
  byScenario: Record<string, Summary>;
  duringBackground: Summary;
  afterBackground: Summary;
}

export async function runMixedLoad(opts: {
  clients: HttpClient[];
  slug: string;
  scenarios: Scenario[];
  minSeconds: number;
  thinkMs: [number, number];
  background: () => Promise<unknown>;
  navigation?: Navigation;
}): Promise<MixedLoadResult> {
  const [thinkMin, thinkMax] = opts.thinkMs;
  const views = opts.scenarios;
  const ttfb: number[] = [];
  const full: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let done = false;
  const perScenario = new Map<string, number[]>();
  const during: number[] = [];
  const after: number[] = [];
  const started = performance.now();
  const minEnd = started + opts.minSeconds * 1000;

  const browse = async (client: HttpClient, offset: number) => {
    let i = offset;
    // Clients start spread over one think time, not all at once.
    if (thinkMax > 0) await sleep((offset / opts.clients.length) * thinkMax);
    while (!done || performance.now() < minEnd) {
      const scenario = views[i++ % views.length]!;
      const page = explorerPath(opts.slug, scenario.params);
      const nav = opts.navigation;
      const path = nav ? nav.path(page) : page;
      try {
        const r = await client.request(path, { timeoutMs: 60_000, headers: nav?.headers });
        ttfb.push(r.ttfbMs);
        full.push(r.totalMs);
        (done ? after : during).push(r.totalMs);
        const times = perScenario.get(scenario.label) ?? [];
        times.push(r.totalMs);
        perScenario.set(scenario.label, times);
        if (r.status !== 200 || (nav && !isNavigationPayload(r.headers["content-type"]))) {
          errors++;
          firstError ??= `${r.status} ${String(r.headers["content-type"])} on ${path}`;
        }
      } catch (err) {
        errors++;
        firstError ??= `${(err as Error).message} on ${path}`;
      }
      if (thinkMax > 0) await sleep(thinkMin + Math.random() * (thinkMax - thinkMin));
    }
  };

  const background = opts
    .background()
    .catch((err: unknown) => {
      errors++;
      firstError ??= `background export: ${(err as Error).message}`;
      return { error: (err as Error).message };
    })
    .finally(() => {
      done = true;
    });
  const [result] = await Promise.all([background, ...opts.clients.map((c, i) => browse(c, i))]);
  const seconds = (performance.now() - started) / 1000;
  return {
    clients: opts.clients.length,
    thinkMs: opts.thinkMs,
    seconds,
    requests: full.length,
    requestsPerSecond: Math.round((full.length / seconds) * 10) / 10,
    errors,
    firstError,
    ttfb: summarize(ttfb),
    full: summarize(full),
    background: result,
    byScenario: Object.fromEntries([...perScenario].map(([label, times]) => [label, summarize(times)])),
    duringBackground: summarize(during),
    afterBackground: summarize(after),
  };
}
