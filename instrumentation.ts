// Runs once when Next.js starts in a process. Under `npm start`, server.ts has already prepared the
// database (migrated and seeded the embedded one, checked a server one) while answering "being
// prepared"; under `next dev` this does it. Either way it starts the retention schedule.
export async function register(): Promise<void> {
  // Set by Next.js itself and compiled into each bundle (not a setting; lib/env.ts has those).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapDatabase } = await import("./db/bootstrap");
  await bootstrapDatabase();
}
