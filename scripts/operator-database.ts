import { createDatabase, type DatabaseHandle, type DatabaseOptions } from "@/db/client";
import { EmbeddedDatabaseBusyError, isOnDisk, lockEmbeddedDatabase } from "@/db/embedded-lock";
import { env } from "@/lib/env";

/**
 * The database an operator command works on. On the embedded database the command first takes
 * the data folder's lock (db/embedded-lock.ts): while the console or another command holds it, the
 * command refuses with one line and exit code 1 instead of writing beside a process that would
 * overwrite its work, or whose work it would overwrite.
 */
export function openOperatorDatabase(
  command: string,
  options: DatabaseOptions & { whileRunning?: string } = {},
): DatabaseHandle {
  const { whileRunning, ...databaseOptions } = options;
  if (!env.DATABASE_URL && isOnDisk(env.PGLITE_DATA_DIR)) {
    try {
      lockEmbeddedDatabase(env.PGLITE_DATA_DIR, `npm run ${command}`);
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseBusyError)) throw error;
      console.error(`npm run ${command} refused: ${error.message}${whileRunning ? ` ${whileRunning}` : ""}`);
      process.exit(1);
    }
  }
  return createDatabase(databaseOptions);
}
