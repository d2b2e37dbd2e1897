import { ensurePartitions, runMigrations } from "@/db/migrate";
import { openOperatorDatabase } from "./operator-database";

// The console migrates the embedded database itself when it starts.
const handle = openOperatorDatabase("db:migrate");
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
