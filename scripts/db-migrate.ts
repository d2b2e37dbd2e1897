import { createDatabase } from "@/db/client";
import { ensurePartitions, runMigrations } from "@/db/migrate";

const handle = createDatabase();
try {
  const started = performance.now();
  await runMigrations(handle);
  await ensurePartitions(handle);
  console.log(
    `migrated ${handle.kind === "postgres" ? "the server database" : "the embedded database"} in ${Math.round(performance.now() - started)} ms`,
  );
} finally {
  await handle.close();
}
