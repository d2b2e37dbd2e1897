// Runs once when a server process starts: the embedded database is migrated (and seeded on first
// start) before the first request; a server database is only checked, migrations are explicit.
export async function register(): Promise<void> {
  // Set by Next.js itself and compiled into each bundle (not a setting; lib/env.ts has those).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapDatabase } = await import("./db/bootstrap");
  await bootstrapDatabase();
}
