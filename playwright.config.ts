import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// Each run gets its own port, build folder and database, so a dev server or another run is left alone.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const stateDir = path.resolve(process.env.E2E_STATE_DIR ?? `.data/e2e-${port}`);
process.env.E2E_STATE_DIR = stateDir;

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export default defineConfig({
  testDir: "tests/e2e",
  // Files run side by side, each file's tests in order. Tried: 3 workers with every file's tests
  // spread (fullyParallel) took 13.2 min in CI against 12.9 with these two, and a histogram test
  // then waited past its 30 s for its bars: the run is bound by Chromium's CPU (about 150% of the
  // 2 cores), and a third browser only queues for it.
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // The server's output is shown only when something failed (the server-log reporter).
  reporter: [
    ["list"],
    ["./tests/e2e/helpers/server-log-reporter.ts"],
    ...(process.env.CI ? [] : [["html", { open: "never", outputFolder: "playwright-report" }] as const]),
  ],
  use: {
    baseURL,
    // A failed test keeps its trace: actions, network and console, and outside CI the DOM
    // snapshots too. Recording snapshots for every test cost CI about a fifth of the suite's time
    // (explorer.spec.ts alone, one worker, 2026-12-07: 112-119 s of test time with them, 97 s
    // without, 90 s with no trace); the screencast cost about 15% before that. A failure in CI
    // still gets its screenshot below and the server's log.
    trace: { mode: "retain-on-failure", screenshots: false, snapshots: !process.env.CI },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    // Signs the demo accounts in once (tests/e2e/sessions.setup.ts); a filter such as --grep or
    // a file name selects among the other projects' tests, this one always runs before them.
    {
      name: "sessions",
      testMatch: /sessions\.setup\.ts$/,
      use: { ...devices["Desktop Chrome"], channel: undefined },
    },
    {
      name: "chromium",
      testIgnore: /reliability\.spec\.ts$/,
      dependencies: ["sessions"],
      use: { ...devices["Desktop Chrome"], channel: undefined },
    },
    // Ends the console's database connections, so it runs alone, after every other spec.
    {
      name: "reliability",
      testMatch: /reliability\.spec\.ts$/,
      dependencies: ["chromium"],
      use: { ...devices["Desktop Chrome"], channel: undefined },
    },
  ],
  webServer: {
    command: "npx tsx --conditions=react-server scripts/e2e-server.ts",
    url: `${baseURL}/login`,
    timeout: 300_000,
    reuseExistingServer: false,
    // The server writes to a file (scripts/e2e-server.ts); what is left here is its preparation's
    // failure, which Playwright shows when the server does not come up.
    stdout: "ignore",
    stderr: "pipe",
    // The notifications spec's webhook receiver listens on 127.0.0.1.
    env: { E2E_PORT: String(port), E2E_STATE_DIR: stateDir, WEBHOOK_ALLOW_PRIVATE: "true" },
  },
});
