/*
 * The console's HTTP server, started by `npm start`: Next.js's production server inside a plain
 * Node.js http server. Before Next.js sees a request, this decides from what can be trusted who
 * the client is and which origin it asked for (the connection, or the proxies TRUSTED_PROXY_HOPS
 * declares), overwrites the headers that carry that whatever the client sent, and adds the
 * security headers every response carries.
 */
import { createServer } from "node:http";
import next from "next";
import { markServedByConsoleServer } from "./lib/http/console-server-mark";
import { applyForwarding, resolveForwarding } from "./lib/http/forwarded-headers";
import { servedOverHttps } from "./lib/http/request-origin";
import { securityHeaders } from "./lib/http/security-headers";

/** The validated settings, or one clear line and exit 1 when a variable cannot be read. */
async function loadEnv() {
  try {
    return (await import("./lib/env")).env;
  } catch (error) {
    if (error instanceof Error && error.name === "InvalidEnvironmentError") {
      console.error(`[audit-console] cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const env = await loadEnv();
const hops = env.TRUSTED_PROXY_HOPS;
markServedByConsoleServer();

// npm runs scripts in the project folder; the built server lives in .server/, so the folder is the cwd.
const app = next({ dev: false, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
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
  handle(req, res).catch((error: unknown) => {
    console.error("[audit-console] request failed", error);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});

server.listen(env.PORT, env.HOST, () => {
  const host = env.HOST?.includes(":") ? `[${env.HOST}]` : (env.HOST ?? "localhost");
  console.log(`[audit-console] listening on http://${host}:${env.PORT}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
