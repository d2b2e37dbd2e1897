import "server-only";

import { NextResponse } from "next/server";
import type { Executor } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema/enums";
import { authenticateApiKey, type ApiKeyPrincipal } from "./authenticate-api-key";

/** A JSON error body `{ error, ...extra }`, never cached. */
export function apiError(status: number, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return NextResponse.json(
    { error: message, ...extra },
    { status, headers: { "Cache-Control": "no-store", ...headers } },
  );
}

const REFUSALS: Record<ApiKeyScope, string> = {
  read: "This API key cannot read the log: it has the write scope only. Use a key with the read scope (API keys settings, or npm run apikey:create -- --scope read).",
  write:
    "This API key cannot write events: it has the read scope only. Use a key with the write scope (API keys settings, or npm run apikey:create -- --scope write).",
};

/**
 * The key in the Authorization header, when it is valid and has `scope`: 401 without a valid key,
 * 403 naming the key's scopes when it lacks this one. Checked before anything else is read.
 */
export async function requireApiKeyScope(
  db: Executor,
  request: Request,
  scope: ApiKeyScope,
): Promise<{ principal: ApiKeyPrincipal } | { refusal: NextResponse }> {
  const principal = await authenticateApiKey(db, request.headers.get("authorization"));
  if (!principal) {
    return {
      refusal: apiError(
        401,
        "A valid API key is required: Authorization: Bearer <key>.",
        {},
        { "WWW-Authenticate": "Bearer" },
      ),
    };
  }
  if (!principal.scopes.includes(scope))
    return { refusal: apiError(403, REFUSALS[scope], { scopes: principal.scopes }) };
  return { principal };
}
