/*
 * The console's HTTP server, started by `npm start`: Next.js's production server inside a plain
 * Node.js http server. Before Next.js sees a request, this decides from what can be trusted who
 * the client is and which origin it asked for (the connection, or the proxies TRUSTED_PROXY_HOPS
 * declares), overwrites the headers that carry that whatever the client sent, and adds the
 * security headers every response carries.
 *
 * It listens first and prepares the database afterwards (db/bootstrap.ts), answering 503 with a
 * page that says so meanwhile; a start that cannot go on exits 1 with one line saying why.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import next from "next";
import { markServedByConsoleServer } from "./lib/http/console-server-mark";
import { applyForwarding, resolveForwarding } from "./lib/http/forwarded-headers";
import { preparingResponse } from "./lib/http/preparing-response";
import { servedOverHttps } from "./lib/http/request-origin";
import { securityHeaders } from "./lib/http/security-headers";

const log = (line: string) => console.log(`[audit-console] ${line}`);

function cannotStart(message: string): never {
  console.error(`[audit-console] cannot start: ${message}`);
  process.exit(1);
}

function firstLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.split("\n")[0]?.trim() || error.name;
}

/** The validated settings, or one clear line and exit 1 when a variable cannot be read. */
async function loadEnv() {
  try {
    return (await import("./lib/env")).env;
  } catch (error) {
    if (error instanceof Error && error.name === "InvalidEnvironmentError") cannotStart(error.message);
    throw error;
  }
}

const env = await loadEnv();
const hops = env.TRUSTED_PROXY_HOPS;
markServedByConsoleServer();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));

// npm runs scripts in the project folder; the built server lives in .server/, so the folder is the cwd.
const app = next({ dev: false, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
const handle = app.getRequestHandler();
let ready = false;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const forwarding = resolveForwarding(req, hops);
  if (!forwarding) {
    res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
    res.end("The Host header is missing or malformed.\n");
    return;
  }
  applyForwarding(req.headers, forwarding, hops);
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const https = servedOverHttps(forwarding.protocol, env.APP_URL);
  for (const [name, value] of Object.entries(securityHeaders({ https, path }))) res.setHeader(name, value);
  if (!ready) {
    const answer = preparingResponse(path);
    res.writeHead(answer.status, answer.headers);
    res.end(req.method === "HEAD" ? undefined : answer.body);
    return;
  }
  handle(req, res).catch((error: unknown) => {
    console.error("[audit-console] request failed", error);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
}

const server = createServer(serve);
const displayHost = env.HOST?.includes(":") ? `[${env.HOST}]` : (env.HOST ?? "localhost");
const url = `http://${displayHost}:${env.PORT}`;
await new Promise<void>((resolve) => {
  server.once("error", (error: NodeJS.ErrnoException) =>
    cannotStart(
      error.code === "EADDRINUSE"
        ? `port ${env.PORT} is already in use (set PORT to another one)`
        : `cannot listen on ${url}: ${firstLine(error)}`,
    ),
  );
  server.listen(env.PORT, env.HOST, resolve);
});
log(`listening on ${url}; preparing the database`);

try {
  const { markDatabasePrepared, prepareForServer } = await import("./db/bootstrap");
  const prepared = await prepareForServer(log);
  markDatabasePrepared();
  await app.prepare();
  ready = true;
  log(`ready on ${url}`);
  if (prepared.demoAccounts) {
    log(
      "demo accounts (password demo-password): admin@acme.test, manager@acme.test, member@acme.test, auditor@globex.test",
    );
  }
} catch (error) {
  const { reason } = await import("./db/bootstrap");
  cannotStart(reason(error));
}
