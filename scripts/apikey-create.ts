import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { organizations } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { parseScopes } from "@/lib/api-keys/scopes";
import { NO_REQUEST } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { openOperatorDatabase } from "./operator-database";

// Provisioning scripts read the secret from the last line of the output.
const USAGE = "usage: npm run apikey:create -- --org SLUG --name NAME [--scope write|read|read,write]";
const { values } = parseArgs({
  options: { org: { type: "string" }, name: { type: "string" }, scope: { type: "string", default: "write" } },
});
const scopes = parseScopes(values.scope ?? "write");
if (!values.org || !values.name) {
  console.error(USAGE);
  process.exit(2);
}
if (!scopes) {
  console.error(`--scope "${values.scope}" is not valid: use write, read, or read,write.\n${USAGE}`);
  process.exit(2);
}
const handle = openOperatorDatabase("apikey:create", {
  whileRunning: "With the console running, create the key in its settings: API keys.",
});
try {
  const [org] = await handle.db.select().from(organizations).where(eq(organizations.slug, values.org)).limit(1);
  if (!org) {
    console.error(`No organization with slug "${values.org}".`);
    process.exitCode = 1;
  } else {
    const key = await createApiKey(handle.db, { orgId: org.id, name: values.name, createdBy: null, scopes });
    await recordConsoleEntry(handle.db, org.id, null, NO_REQUEST, {
      category: "secret",
      action: "create_api_key",
      description: `API key "${key.name}" created from the command line`,
      service: "API keys",
      target: { type: "api_key", id: key.id, name: key.name },
      params: { prefix: key.prefix, scopes: key.scopes, via: "apikey:create" },
    });
    console.log(
      `Created API key "${key.name}" (${key.prefix}…, scopes ${key.scopes.join(",")}) for ${org.name}. The secret is shown once:`,
    );
    console.log(key.secret);
  }
} finally {
  await handle.close();
}
