import path from "node:path";

/** Where the end-to-end server writes its output (scripts/e2e-server.ts). */
export function serverLogFile(stateDir: string): string {
  return path.join(stateDir, "server.log");
}
