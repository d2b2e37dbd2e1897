import type { IncomingHttpHeaders } from "node:http";
import { CLIENT_ADDRESS_HEADER, resolveClientAddress } from "./client-address";
import { lastValue, validHost, type Protocol } from "./request-origin";

export interface ForwardedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string; encrypted?: boolean };
}

export interface Forwarding {
  clientAddress: string | null;
  host: string;
  protocol: Protocol;
}

/*
 * Who asked and for which origin, decided from what can be trusted: with no trusted proxy
 * (hops = 0) the connection itself and its Host header, and nothing a client writes in
 * X-Forwarded-*; behind N trusted proxies the N-th X-Forwarded-For entry from the right and the
 * last X-Forwarded-Host and X-Forwarded-Proto values, which the nearest proxy wrote. Null when
 * there is no well-formed host to answer for.
 */
export function resolveForwarding(request: ForwardedRequest, hops: number): Forwarding | null {
  const { headers, socket } = request;
  const ownProtocol: Protocol = socket.encrypted ? "https" : "http";
  const clientAddress = resolveClientAddress(socket.remoteAddress, headers["x-forwarded-for"], hops);
  if (hops === 0) {
    const host = validHost(headers.host);
    return host ? { clientAddress, host, protocol: ownProtocol } : null;
  }
  const host = validHost(lastValue(headers["x-forwarded-host"])) ?? validHost(headers.host);
  const claimed = lastValue(headers["x-forwarded-proto"])?.toLowerCase();
  const protocol: Protocol = claimed === "https" || claimed === "http" ? claimed : ownProtocol;
  return host ? { clientAddress, host, protocol } : null;
}

/**
 * Overwrites the request's headers with the decision, whatever the client sent: the client
 * address header, X-Forwarded-Host and -Proto (read by Next.js and Auth.js), and with no trusted
 * proxy X-Forwarded-For too, so that nothing downstream can read a forged chain.
 */
export function applyForwarding(headers: IncomingHttpHeaders, forwarding: Forwarding, hops: number): void {
  if (forwarding.clientAddress) headers[CLIENT_ADDRESS_HEADER] = forwarding.clientAddress;
  else delete headers[CLIENT_ADDRESS_HEADER];
  if (hops === 0) {
    if (forwarding.clientAddress) headers["x-forwarded-for"] = forwarding.clientAddress;
    else delete headers["x-forwarded-for"];
  }
  headers["x-forwarded-host"] = forwarding.host;
  headers["x-forwarded-proto"] = forwarding.protocol;
  delete headers["x-forwarded-port"];
  delete headers["x-real-ip"];
  delete headers["forwarded"];
}
