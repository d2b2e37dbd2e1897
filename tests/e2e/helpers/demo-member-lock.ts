import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

/*
 * member@acme.test is the only demo account without audit permission, and the access-request spec
 * grants it permissions for a few seconds. Specs that rely on its state hold this lock (a directory,
 * created atomically) so that parallel workers take turns. The e2e server empties the state folder
 * at start, so a crashed run leaves no stale lock behind.
 */
export async function lockDemoMember(timeoutMs = 240_000): Promise<() => void> {
  const stateDir = process.env.E2E_STATE_DIR;
  if (!stateDir) throw new Error("E2E_STATE_DIR is not set: run the tests through playwright.config.ts");
  const lock = path.join(stateDir, "locks", "demo-member");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error("timed out waiting for the demo member lock");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
