import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Outside Next.js the package throws on import; the modules behind it are server code anyway.
      "server-only": path.resolve(import.meta.dirname, "tests/helpers/server-only-stub.ts"),
    },
  },
  test: {
    environment: "node",
    // Migrates one template database that each test file's database is copied from.
    globalSetup: ["tests/helpers/database-template.ts"],
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    // Each integration file creates its own database; PGlite instances are memory-hungry, two at a time is plenty.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AUTH_SECRET: "test-secret-for-vitest-only-0123456789" },
  },
});
