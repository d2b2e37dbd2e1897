import { expect, type APIRequestContext } from "@playwright/test";
import { e2eApiKeys } from "./sign-in";

/** Writes events for Acme through the ingestion API, as a platform service would; their ids in order. */
export async function ingest(request: APIRequestContext, events: Record<string, unknown>[]): Promise<string[]> {
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
    data: { events },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { entries: { id: string }[] }).entries.map((e) => e.id);
}
