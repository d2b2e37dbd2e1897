import ipaddr from "ipaddr.js";
import { servedByConsoleServer } from "./console-server-mark";

/*
 * The client's address, decided once per request by the console's own server (server.ts) from
 * the connection and the trusted-proxy rule, and handed to the application in a header of its
 * own that the server overwrites on every request.
 */

export const CLIENT_ADDRESS_HEADER = "x-audit-console-client-address";

/**
 * The address in one canonical form (IPv4-mapped IPv6 as IPv4, IPv6 compressed, no zone), or null
 * when the text is not an IP address. IPv4 must be four decimal parts: `0x7f.1` and the like,
 * which some parsers take for 127.0.0.1, are refused.
 */
export function normalizeAddress(value: string | null | undefined): string | null {
  const text = value?.trim();
  if (!text) return null;
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.process(text);
  if (address.kind() === "ipv4") return address.toString();
  return new ipaddr.IPv6((address as ipaddr.IPv6).parts).toRFC5952String();
}

/**
 * The client's address. With no trusted proxy (hops = 0) it is the connection's peer, whatever
 * X-Forwarded-For says. Behind N trusted proxies each appends the address it received the request
 * from, so the N-th entry from the right was written by the outermost trusted proxy and is the
 * client; entries further left are the client's own claims. A chain too short or an entry that is
 * not an address means the request did not come through the proxies as configured: the peer's
 * address is used, which throttles the proxy rather than trusting a claim.
 */
export function resolveClientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  hops: number,
): string | null {
  const peer = normalizeAddress(socketAddress);
  if (hops === 0) return peer;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (chain.length < hops) return peer;
  return normalizeAddress(chain[chain.length - hops]) ?? peer;
}

/** The address server.ts decided for this request, or null when there is none to trust. */
export function clientAddressFrom(headers: Headers): string | null {
  if (!servedByConsoleServer()) return null;
  return normalizeAddress(headers.get(CLIENT_ADDRESS_HEADER));
}
