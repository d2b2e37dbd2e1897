import { NextResponse } from "next/server";
import { checkPrimary } from "@/lib/health/database-health";

export const dynamic = "force-dynamic";

/*
 * For load balancers and uptime checks: no authentication, so it says nothing about any
 * organization, and not why the database failed (a connection error can name hosts and users;
 * that goes to the server log).
 */
export async function GET(): Promise<NextResponse> {
  const primary = await checkPrimary();
  const headers = { "Cache-Control": "no-store" };
  if (primary.state === "ok") {
    return NextResponse.json({ status: "ok", database: { primary: "ok", latencyMs: primary.latencyMs } }, { headers });
  }
  console.error(`[audit-console] health check: the primary database did not answer: ${primary.reason}`);
  return NextResponse.json({ status: "unavailable", database: { primary: "unreachable" } }, { status: 503, headers });
}
