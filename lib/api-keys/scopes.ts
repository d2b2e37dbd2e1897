import { apiKeyScope, type ApiKeyScope } from "@/db/schema/enums";

/*
 * What an API key may do: `write` events through the ingestion API, `read` the log through the
 * read API. Pure, so the settings form and the command line read scopes the same way.
 */

export const API_KEY_SCOPES = apiKeyScope.enumValues;

export const SCOPE_LABELS: Record<ApiKeyScope, string> = {
  read: "Read: GET /api/v1/audit-events",
  write: "Write: POST /api/v1/audit-events",
};

/** `read`, `write`, `read,write` (any order, spaces allowed) into scopes in the enum's order; null when invalid. */
export function parseScopes(text: string): ApiKeyScope[] | null {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) return null;
  if (!items.every((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s))) return null;
  return API_KEY_SCOPES.filter((s) => items.includes(s));
}
