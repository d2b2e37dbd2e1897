import { existsSync, readFileSync } from "node:fs";
import type { FullResult, Reporter } from "@playwright/test/reporter";
import { serverLogFile } from "./server-log";

/*
 * The end-to-end server writes to a file. A passing run prints none of it; a failing one prints
 * it after the results, where whoever reads the failure needs it.
 */
export default class ServerLogReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  onEnd(result: FullResult): void {
    if (result.status === "passed") return;
    const stateDir = process.env.E2E_STATE_DIR;
    if (!stateDir) return;
    const file = serverLogFile(stateDir);
    if (!existsSync(file)) return;
    process.stdout.write(
      `\n--- the e2e server's output (${file}):\n${readFileSync(file, "utf8")}--- end of the server's output\n`,
    );
  }
}
