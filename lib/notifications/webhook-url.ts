import "server-only";

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { webhooksMayReachPrivate } from "./private-targets";

/*
 * Where a webhook may point. A URL the console POSTs to is a request made from inside the
 * deployment's network on behalf of whoever set the URL, so addresses only the server can reach
 * are refused (loopback, private, link-local and thus cloud metadata at 169.254.169.254,
 * carrier-grade NAT, unique-local, multicast, unspecified, and IPv6 forms that embed an IPv4
 * address, checked as that address), unless the deployment allows them (WEBHOOK_ALLOW_PRIVATE).
 *
 * The check runs when a channel is saved and again at every send, on the addresses the name
 * resolves to then; the send connects to the very address that was checked (webhook-send.ts), so
 * a name that resolves to a public address for the check and to 127.0.0.1 for the connection
 * (DNS rebinding) gets nowhere.
 */

export type WebhookUrlCheck = { ok: true } | { ok: false; message: string };

export interface WebhookTarget {
  url: URL;
  /** The checked address to connect to. */
  address: string;
  family: 4 | 6;
}

export type WebhookTargetResult = ({ ok: true } & WebhookTarget) | { ok: false; message: string };

const MAX_URL_LENGTH = 2048;

/** Why the address may not be reached, or null when it is a public unicast address. */
export function refusedAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return "is not an IP address";
  let ip = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel.
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === "unicast") return null;
  const names: Record<string, string> = {
    loopback: "a loopback address",
    private: "a private address",
    linkLocal: "a link-local address (such as the cloud metadata service)",
    uniqueLocal: "a private (unique-local) address",
    carrierGradeNat: "a shared (carrier-grade NAT) address",
    unspecified: "the unspecified address",
    multicast: "a multicast address",
    broadcast: "the broadcast address",
  };
  return names[range] ?? `a reserved address (${range})`;
}

function plainHost(url: URL): string {
  // URL keeps IPv6 literals in brackets.
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

async function addressesOf(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
  const literal = isIP(host);
  if (literal) return [{ address: host, family: literal as 4 | 6 }];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function readUrl(text: string): URL | string {
  if (text.length > MAX_URL_LENGTH) return `The URL is longer than ${MAX_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "Enter a full URL such as https://hooks.example.com/audit.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Use an https:// (or, for local use, http://) URL.";
  if (url.username || url.password) return "Put credentials in the secret, not in the URL.";
  if (url.hash) return "A webhook URL has no #fragment.";
  return url;
}

/**
 * Resolves the URL's host once and checks every address it resolves to (one refused address
 * refuses the URL: which one a connection would get is not ours to choose). The answer names
 * the address to connect to.
 */
export async function resolveWebhookTarget(
  text: string,
  { allowPrivate = webhooksMayReachPrivate() }: { allowPrivate?: boolean } = {},
): Promise<WebhookTargetResult> {
  const url = readUrl(text.trim());
  if (typeof url === "string") return { ok: false, message: url };
  const host = plainHost(url);
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    addresses = await addressesOf(host);
  } catch {
    return { ok: false, message: `The host name ${host} could not be resolved.` };
  }
  if (addresses.length === 0) return { ok: false, message: `The host name ${host} could not be resolved.` };
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      if (reason) {
        const what = address === host ? host : `${host} resolves to ${address}, which`;
        return {
          ok: false,
          message: `${what} is ${reason}; webhooks may not reach it (WEBHOOK_ALLOW_PRIVATE=true allows it).`,
        };
      }
    }
  }
  const first = addresses[0]!;
  return { ok: true, url, address: first.address, family: first.family };
}

/** For the settings page: whether a webhook URL may be saved, with a message when not. */
export async function checkWebhookUrl(
  text: string,
  options: { allowPrivate?: boolean } = {},
): Promise<WebhookUrlCheck> {
  const result = await resolveWebhookTarget(text, options);
  return result.ok ? { ok: true } : { ok: false, message: result.message };
}
