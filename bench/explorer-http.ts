import { HttpClient, type HttpResult } from "./http-client";
import { repeat, summarize, type Summary } from "./measure";
import { explorerPath, type Scenario } from "./scenarios";

/*
 * The explorer over HTTP, signed in, one request at a time: time to first byte and full response
 * time of the server-rendered page for each scenario.
 */

export interface HttpTiming {
  ttfb: Summary;
  full: Summary;
  /** Size of the HTML, bytes (last run), and on the wire (compressed). */
  bytes: number;
  wireBytes: number;
  /** The console's CPU time per request (the server process), ms: what rendering costs. */
  serverCpuMs: number | null;
  /** Rows the page listed (last run), from the contract's data-entry-id markup. */
  rows: number;
}

export function listedRows(html: string): number {
  return (html.match(/<tr[^>]*data-entry-id="/g) ?? []).length;
}

export function checkPage(result: HttpResult, what: string): void {
  if (result.status !== 200) {
    const location = result.headers.location ? ` -> ${String(result.headers.location)}` : "";
    throw new Error(`${what} answered ${result.status}${location}`);
  }
}

export async function measureScenarioHttp(
  client: HttpClient,
  slug: string,
  scenario: Scenario,
  { warmup, runs }: { warmup: number; runs: number },
  serverCpuMs?: () => number,
): Promise<HttpTiming> {
  const path = explorerPath(slug, scenario.params);
  const once = async () => {
    const r = await client.request(path);
    checkPage(r, `GET ${path}`);
    return r;
  };
  await repeat(once, { warmup, runs: 0 });
  const cpuBefore = serverCpuMs?.();
  const results = await repeat(once, { warmup: 0, runs });
  const cpuAfter = serverCpuMs?.();
  const last = results[results.length - 1]!;
  return {
    ttfb: summarize(results.map((r) => r.ttfbMs)),
    full: summarize(results.map((r) => r.totalMs)),
    bytes: last.bytes,
    wireBytes: last.wireBytes,
    serverCpuMs: cpuBefore === undefined || cpuAfter === undefined ? null : (cpuAfter - cpuBefore) / runs,
    rows: listedRows(last.body!.toString("utf8")),
  };
}

/** Signs in and proves the session works on the explorer (a page with entries, not a redirect). */
export async function signedInClient(
  baseUrl: string,
  email: string,
  password: string,
  slug: string,
): Promise<HttpClient> {
  const client = new HttpClient(baseUrl);
  await client.signIn(email, password);
  const page = await client.request(explorerPath(slug, {}));
  checkPage(page, `GET ${explorerPath(slug, {})} after sign-in`);
  if (listedRows(page.body!.toString("utf8")) === 0)
    throw new Error("the explorer listed no entries for the signed-in bench admin");
  return client;
}
