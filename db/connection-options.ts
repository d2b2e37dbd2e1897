import "server-only";

import type postgres from "postgres";
import type { DatabaseHandle } from "./client";

/*
 * The settings of the console's pool, for a client of its own beside it (an export's COPY, the
 * retention lock's session): same server, credentials and session settings, one connection.
 */
export function dedicatedConnectionOptions(
  handle: Extract<DatabaseHandle, { kind: "postgres" }>,
  applicationName?: string,
): postgres.Options<Record<string, never>> {
  const o = handle.sql.options;
  return {
    host: o.host.join(","),
    port: o.port[0],
    path: o.path,
    database: o.database,
    user: o.user,
    pass: (o as { pass?: string | null }).pass ?? undefined,
    ssl: o.ssl,
    connect_timeout: o.connect_timeout,
    connection: applicationName ? { ...o.connection, application_name: applicationName } : o.connection,
    max: 1,
    idle_timeout: 30,
    onnotice: () => {},
  };
}
