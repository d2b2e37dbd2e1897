/*
 * The console's own server (server.ts) rewrites, on every request, the headers that say who the
 * client is and which origin it asked for: the client address header, X-Forwarded-For,
 * X-Forwarded-Host and X-Forwarded-Proto (lib/http/forwarded-headers.ts). Application code trusts
 * them only when this process is served by it: under any other server a client could send them.
 * Next.js serves the application inside server.ts's own process, so a global mark reaches it.
 */

const MARK = Symbol.for("audit-console.served-by-console-server");
type Marked = typeof globalThis & { [MARK]?: boolean };

/** Called by server.ts before it serves anything (and by tests that stand in for it). */
export function markServedByConsoleServer(on = true): void {
  (globalThis as Marked)[MARK] = on;
}

export function servedByConsoleServer(): boolean {
  return (globalThis as Marked)[MARK] === true;
}
