/*
 * One entry as the read API answers it and an NDJSON export line holds it: the ingestion API's
 * shape plus id, receivedAt and url. Written here from the contract, not taken from the code that
 * produces it, so the tests read the output as a client would.
 */
export type EntryJson = {
  id: string;
  occurredAt: string;
  receivedAt: string;
  actor: { id: string | null; name: string | null; email: string | null } | null;
  category: string;
  action: string;
  description: string | null;
  target: { type: string | null; id: string | null; name: string | null } | null;
  result: string;
  level: string;
  service: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  correlationId: string | null;
  params: unknown;
  before: unknown;
  after: unknown;
  error: { code: string | null; message: string | null } | null;
  idempotencyKey: string | null;
  url: string;
};
