import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { authenticateApiKey } from "@/lib/api-keys/authenticate-api-key";
import { requirePermission } from "@/lib/auth/access";
import { loadDigests } from "@/lib/integrity/digests";
import { parseRangeParam } from "@/lib/integrity/range";
import { getSigningKey } from "@/lib/integrity/signing-key";

/*
 * GET /api/v1/integrity/[org]?from=&to=&after=&check=1: the organization's signed block digests
 * (lib/integrity/digests.ts), for a read-scoped API key of that organization or a signed-in member with
 * audit.view. Another organization's slug gets the same 404 as one that does not exist.
 */

function error(status: number, message: string, headers?: HeadersInit) {
  return NextResponse.json({ error: message }, { status, headers });
}

const NOT_FOUND = "No such organization.";

async function caller(request: Request, slug: string): Promise<{ id: string; slug: string } | NextResponse> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const principal = await authenticateApiKey(getDb(), authorization);
    if (!principal)
      return error(401, "A valid API key is required: Authorization: Bearer <key>.", { "WWW-Authenticate": "Bearer" });
    if (principal.orgSlug !== slug) return error(404, NOT_FOUND);
    // Digests describe the log's contents, so reading them is reading: a write-only key may not.
    if (!principal.scopes.includes("read")) {
      return error(403, "This API key has the write scope only; the integrity digests need a key with the read scope.");
    }
    return { id: principal.orgId, slug: principal.orgSlug };
  }
  const result = await requirePermission(slug, "audit.view");
  if (result.ok) return { id: result.access.org.id, slug: result.access.org.slug };
  if (result.reason === "unauthenticated")
    return error(401, "Sign in, or send an API key: Authorization: Bearer <key>.");
  if (result.reason === "forbidden") return error(403, "This needs the audit.view permission.");
  return error(404, NOT_FOUND);
}

export async function GET(request: Request, { params }: RouteContext<"/api/v1/integrity/[org]">) {
  const { org: slug } = await params;
  const org = await caller(request, slug);
  if (org instanceof NextResponse) return org;
  const search = new URL(request.url).searchParams;
  const from = parseRangeParam(search.get("from"), "from");
  const to = parseRangeParam(search.get("to"), "to");
  const afterText = search.get("after");
  const after = afterText === null ? undefined : Number(afterText);
  const problems = [from, to].flatMap((r) => (r.ok ? [] : [r.message]));
  if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) {
    problems.push(`after must be a block number (a whole number), got "${afterText}"`);
  }
  const check = search.get("check");
  if (check !== null && check !== "1" && check !== "0") problems.push(`check must be 1 or 0, got "${check}"`);
  if (problems.length) return error(400, problems.join("; "));
  const digests = await loadDigests(getDb(), org, getSigningKey(), {
    ...(from.ok && from.value ? { from: from.value } : {}),
    ...(to.ok && to.value ? { to: to.value } : {}),
    ...(after !== undefined ? { after } : {}),
    check: check === "1",
  });
  return NextResponse.json(digests, { headers: { "Cache-Control": "no-store" } });
}
