import { NextResponse } from "next/server";
import { checkPrimary, checkReplica } from "@/lib/health/database-health";

export const dynamic = "force-dynamic";

/*
 * For load balancers and uptime checks: no authentication, so it says nothing about any
 * organization, and not why the database failed (a connection error can name hosts and users;
 * that goes to the server log). The read replica's state is information: readers fall back to the
 * primary when it is lagging or down, so the console still serves and the answer is still 200.
 */
export async function GET(): Promise<NextResponse> {
  const [primary, replica] = await Promise.all([checkPrimary(), checkReplica()]);
  const headers = { "Cache-Control": "no-store" };
  if (primary.state === "ok") {
    return NextResponse.json(
      { status: "ok", database: { primary: "ok", latencyMs: primary.latencyMs, ...replica } },
      { headers },
    );
  }
  console.error(`[audit-console] health check: the primary database did not answer: ${primary.reason}`);
  return NextResponse.json({ status: "unavailable", database: { primary: "unreachable" } }, { status: 503, headers });
}
