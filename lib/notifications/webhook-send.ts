import "server-only";

import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveWebhookTarget } from "./webhook-url";

/*
 * One webhook request: POST of the stored JSON body, signed with the channel's secret, sent to the
 * address that resolveWebhookTarget checked (the connection's DNS lookup is replaced by that
 * address, so the name is resolved once; the Host header and TLS server name stay the URL's).
 * Redirects are never followed: a 3xx is a failed attempt. Error texts name what happened, never
 * the URL (its path may be a credential, as chat tools' webhook URLs are) or the secret.
 */

export const SIGNATURE_HEADER = "X-Audit-Signature";
/** During a rotation's grace period: the same signature under the replaced secret. */
export const PREVIOUS_SIGNATURE_HEADER = "X-Audit-Signature-Previous";
export const DELIVERY_HEADER = "X-Audit-Delivery";

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as the receiver recomputes it. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * The signature headers of a message. X-Audit-Signature is always the contract's single value
 * under the current secret, so a receiver that checks it as the contract says never breaks; during
 * a rotation's grace period the replaced secret signs too, in X-Audit-Signature-Previous, for
 * receivers that have not switched yet.
 */
export function signatureHeaders(secrets: string | readonly string[], body: string | Buffer): Record<string, string> {
  const [current, previous] = typeof secrets === "string" ? [secrets] : secrets;
  if (current === undefined) throw new Error("a message is signed with at least one secret");
  return {
    [SIGNATURE_HEADER]: signBody(current, body),
    ...(previous === undefined ? {} : { [PREVIOUS_SIGNATURE_HEADER]: signBody(previous, body) }),
  };
}

export type SendOutcome =
  | { ok: true; detail?: string }
  /** `permanent`: trying again cannot help (the delivery fails at once). */
  | { ok: false; error: string; permanent?: boolean; detail?: string };

export interface WebhookRequest {
  url: string;
  /** The secrets that sign the body: the current one first (lib/notifications/signing-secrets). */
  secrets: readonly string[];
  deliveryId: string;
  body: string;
  timeoutMs: number;
  allowPrivate?: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

function networkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (ECONNREFUSED)";
    case "ECONNRESET":
      return "connection reset by the receiver (ECONNRESET)";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `receiver unreachable (${code})`;
    default:
      if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `TLS failed (${code})`;
      return code ? `request failed (${code})` : "request failed";
  }
}

/** A POST to a receiver: a webhook's, or a stream destination's (lib/streams). */
export interface ReceiverRequest {
  url: string;
  body: string;
  /** Content-Type and the signature or token header. */
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate?: boolean;
}

export function postWebhook(request: WebhookRequest): Promise<SendOutcome> {
  const body = Buffer.from(request.body, "utf8");
  return postToReceiver(
    {
      url: request.url,
      body: request.body,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "AuditConsole-Webhook/1",
        ...signatureHeaders(request.secrets, body),
        [DELIVERY_HEADER]: request.deliveryId,
      },
      timeoutMs: request.timeoutMs,
      allowPrivate: request.allowPrivate,
    },
    body,
  );
}

export async function postToReceiver(request: ReceiverRequest, encoded?: Buffer): Promise<SendOutcome> {
  const target = await resolveWebhookTarget(request.url, { allowPrivate: request.allowPrivate });
  if (!target.ok) return { ok: false, error: target.message, permanent: true };
  const body = encoded ?? Buffer.from(request.body, "utf8");
  const client = target.url.protocol === "https:" ? https : http;
  const seconds = Math.round(request.timeoutMs / 100) / 10;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = client.request(target.url, {
      method: "POST",
      // A fresh connection per message: a pooled one might be to another address.
      agent: false,
      lookup: pinnedLookup(target.address, target.family),
      headers: { ...request.headers, "Content-Length": String(body.length) },
    });
    // The whole exchange, connect to last byte, within the channel's timeout.
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${seconds} s (timed out)` });
      req.destroy();
    }, request.timeoutMs);
    req.on("error", (error) => finish({ ok: false, error: networkError(error) }));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on("error", () => {});
      const done = () => {
        if (status >= 200 && status < 300) finish({ ok: true });
        else if (status >= 300 && status < 400)
          finish({ ok: false, error: `the receiver answered HTTP ${status} (a redirect; redirects are not followed)` });
        else finish({ ok: false, error: `the receiver answered HTTP ${status}` });
      };
      res.on("end", done);
      res.on("close", done);
    });
    req.end(body);
  });
}
