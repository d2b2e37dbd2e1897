import "server-only";

import { getDatabaseHandle, type DatabaseHandle } from "@/db/client";
import { apiError, requireApiKeyScope } from "@/lib/api-keys/api-key-gate";
import { appOrigin, entryPermalink } from "@/lib/app-url";
import { parseWholeSearch } from "@/lib/audit-log/selection";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import { NDJSON_CONTENT_TYPE } from "@/lib/exports/entry-json";
import { takeExportSlot } from "@/lib/exports/export-slots";
import { fixSnapshot, type ExportSelection } from "@/lib/exports/export-query";
import { ExportAbortedError, ndjsonChunks } from "@/lib/exports/stream-export";
import { takeReadToken } from "@/lib/read-api/rate-limit";
import { readPage, pageBody } from "@/lib/read-api/read-page";
import { readReadRequest } from "@/lib/read-api/read-request";
import { recordRead } from "@/lib/read-api/record-read";

/*
 * GET /api/v1/audit-events: the read API. A bearer key with the read scope; the explorer's search
 * params, read strictly (400 naming each bad one); pages of `{ entries, next }` by keyset, all
 * pages of one search reading the entries received up to its first page (the cursor carries that
 * snapshot); or, with Accept: application/x-ndjson, the whole search streamed one entry a line on
 * a connection of its own (an export slot). Checks run in this order, each before any reading:
 * key (401), scope (403), rate (429), params (400).
 */

const error = apiError;

/** True when the client asked for NDJSON (a media range naming it; `*` does not count). */
export function wantsNdjson(accept: string | null): boolean {
  return (accept ?? "")
    .split(",")
    .map((part) => part.split(";")[0]!.trim().toLowerCase())
    .some((type) => type === "application/x-ndjson");
}

export async function readEvents(request: Request, handle: DatabaseHandle = getDatabaseHandle()): Promise<Response> {
  const db = handle.db;
  const gate = await requireApiKeyScope(db, request, "read");
  if ("refusal" in gate) return gate.refusal;
  const { principal } = gate;
  const rate = takeReadToken(principal.keyId);
  if (!rate.allowed) {
    return error(
      429,
      `Too many requests with this API key. Try again in ${rate.retryAfterSeconds} s; ask for bigger pages (size up to 1,000) or stream the whole search (Accept: application/x-ndjson).`,
      {},
      { "Retry-After": String(rate.retryAfterSeconds) },
    );
  }
  const stream = wantsNdjson(request.headers.get("accept"));
  const url = new URL(request.url);
  const parsed = readReadRequest(url.searchParams, stream ? "stream" : "page");
  if (!parsed.ok) {
    return error(400, "Some parameters are invalid; nothing was read.", { params: parsed.problems });
  }
  const { query, size, cursor } = parsed.request;
  const snapshotAt = cursor?.snapshotAt ?? (await fixSnapshot(db));
  const { params, search, canonical } = parseWholeSearch(query, snapshotAt);
  const selection: ExportSelection = { orgId: principal.orgId, params, search, snapshotAt };
  const permalinkPrefix = entryPermalink(appOrigin(request), principal.orgSlug, "");
  const context = { ip: clientIp(request.headers), userAgent: userAgent(request.headers) };
  await recordRead(db, principal, context, { format: stream ? "ndjson" : "json", search: canonical });

  if (!stream) {
    const page = await readPage(db, selection, { size, after: cursor?.edge ?? null, permalinkPrefix, canonical });
    return new Response(pageBody(page), {
      status: 200,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    });
  }
  return streamSearch(request, handle, selection, permalinkPrefix);
}

function streamSearch(
  request: Request,
  handle: DatabaseHandle,
  selection: ExportSelection,
  permalinkPrefix: string,
): Response {
  const slot = handle.kind === "postgres" ? takeExportSlot() : { free: () => {} };
  if (!slot) {
    return error(
      503,
      "Several exports and streams are running on the server right now. Try again in a minute.",
      {},
      {
        "Retry-After": "30",
      },
    );
  }
  const abort = new AbortController();
  request.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const chunks = ndjsonChunks(
    handle,
    { selection, context: { timeZone: "UTC", permalinkPrefix }, expectedRows: null },
    { signal: abort.signal },
  );
  let settled = false;
  const stop = () => {
    settled = true;
    slot.free();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            stop();
            controller.close();
            return;
          }
          controller.enqueue(next.value);
        } catch (e) {
          if (settled) return;
          stop();
          // No final chunk: the client sees a broken response, never a short one that looks whole.
          controller.error(e);
          if (!(e instanceof ExportAbortedError)) console.error("read API stream failed", e);
        }
      },
      async cancel() {
        if (settled) return;
        stop();
        abort.abort();
        await chunks.return(undefined).catch(() => {});
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": NDJSON_CONTENT_TYPE, "Cache-Control": "no-store, no-transform" },
  });
}
