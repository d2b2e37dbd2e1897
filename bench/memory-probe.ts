import { parseArgs } from "node:util";
import { benchDatabaseUrl } from "./bench-db";
import { BENCH_PASSWORD, largestOrgAdmin } from "./dataset";
import { signedInClient } from "./explorer-http";
import { explorerPath } from "./scenarios";
import { startServer } from "./server";

/*
 * What the console's memory is made of after browsing: one signed-in client loads explorer pages
 * (the benchmark's scenarios and distinct free words) in rounds, and after each round the probe
 * reads the server's resident memory and V8 heap as they are, then again after a full garbage
 * collection (through the inspector). The difference is garbage V8 has not collected yet; the
 * figure after collection is what the console really holds. Runs on the data set that
 * `npm run bench` built (audit_bench) and the build in NEXT_DIST_DIR (default .next-bench).
 *
 *   npm run bench:memory -- [--rounds 4] [--pages 300] [--node-options "--max-old-space-size=512"]
 */

interface InspectorSocket {
  addEventListener(
    type: "open" | "message",
    listener: (event: { data: unknown }) => void,
    options?: { once: boolean },
  ): void;
  send(data: string): void;
  close(): void;
}
type InspectorSocketConstructor = new (url: string) => InspectorSocket;

interface MemoryUsage {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    pages: { type: "string", default: "300" },
    port: { type: "string", default: "3311" },
    "inspect-port": { type: "string", default: "9230" },
    "node-options": { type: "string", default: "" },
    url: { type: "string", default: "" },
  },
});

const mib = (bytes: number) => Math.round(bytes / 1048576);

async function inspector(port: number) {
  const Socket = (globalThis as { WebSocket?: InspectorSocketConstructor }).WebSocket;
  if (!Socket) throw new Error("no WebSocket in this Node: run with NODE_OPTIONS=--experimental-websocket (Node 20)");
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new Socket(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve) => socket.addEventListener("open", () => resolve(), { once: true }));
  let lastId = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id!);
    if (message.error) waiting.reject(new Error(`inspector: ${message.error.message}`));
    else waiting.resolve(message.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async memory(collectFirst: boolean): Promise<MemoryUsage> {
      if (collectFirst) await call("HeapProfiler.collectGarbage");
      const answer = (await call("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      })) as {
        result: { value: string };
      };
      return JSON.parse(answer.result.value) as MemoryUsage;
    },
    close: () => socket.close(),
  };
}

const describe = (m: MemoryUsage) =>
  `RSS ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} of ${mib(m.heapTotal)} MiB, external ${mib(m.external)} MiB`;

// The benchmark's explorer scenarios that need no setup, and free words made distinct by a number
// so that pages are not all alike.
const VARIANTS: Record<string, string>[] = [
  {},
  { q: "deploy" },
  { q: "sendgrid" },
  { sort: "user" },
  { period: "30d" },
  { type: "auth,service", result: "failed" },
  { q: "action:delete_profile resource:datacenter-link" },
];
const WORDS = ["deploy", "sendgrid", "ch", "login", "token", "billing", "export", "admin", "secret", "invoice"];

function paramsOf(n: number): Record<string, string> {
  if (n % 3 !== 0) return VARIANTS[n % VARIANTS.length]!;
  const word = WORDS[n % WORDS.length]!;
  return { q: n % 7 === 0 ? word : `${word} ${n}` };
}

async function main(): Promise<void> {
  const rounds = Number(args.rounds);
  const pages = Number(args.pages);
  const inspectPort = Number(args["inspect-port"]);
  const base = process.env.DATABASE_URL;
  const databaseUrl = args.url || (base ? benchDatabaseUrl(base) : "");
  if (!databaseUrl) throw new Error("set DATABASE_URL (the server holding audit_bench) or pass --url");

  process.env.BENCH_SERVER_NODE_OPTIONS = `--inspect=127.0.0.1:${inspectPort} ${args["node-options"]}`.trim();
  const server = await startServer({
    port: Number(args.port),
    distDir: process.env.NEXT_DIST_DIR ?? ".next-bench",
    databaseUrl,
    log: console.log,
  });
  const devtools = await inspector(inspectPort);
  try {
    console.log(`server options: ${args["node-options"] || "(none)"}`);
    console.log(`started: ${describe(await devtools.memory(false))}`);
    const admin = largestOrgAdmin();
    const client = await signedInClient(server.url, admin.email, BENCH_PASSWORD, admin.slug);
    let n = 0;
    for (let round = 1; round <= rounds; round++) {
      const started = performance.now();
      const cpuBefore = server.cpuMs();
      for (let i = 0; i < pages; i++, n++) {
        const page = await client.request(explorerPath(admin.slug, paramsOf(n)));
        if (page.status !== 200) throw new Error(`page ${n} answered ${page.status}`);
      }
      const seconds = (performance.now() - started) / 1000;
      const cpuPerPage = (server.cpuMs() - cpuBefore) / pages;
      const asIs = await devtools.memory(false);
      const collected = await devtools.memory(true);
      console.log(
        `after ${n} pages (${seconds.toFixed(1)} s, server CPU ${cpuPerPage.toFixed(1)} ms per page): ` +
          `as is ${describe(asIs)}; after a full GC ${describe(collected)}`,
      );
    }
  } finally {
    devtools.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
