import { servedByConsoleServer } from "./console-server-mark";

export type Protocol = "http" | "https";

// A host name or bracketed IPv6 literal, with an optional port; nothing else (no path, no user).
const HOST_PATTERN = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/i;

/** `host[:port]` lowercased when it is a well-formed Host value, else null. */
export function validHost(value: string | null | undefined): string | null {
  const text = value?.trim().toLowerCase();
  if (!text || text.length > 260 || !HOST_PATTERN.test(text)) return null;
  try {
    const url = new URL(`http://${text}`);
    const port = /:(\d+)$/.exec(text.replace(/^\[[^\]]*\]/, ""))?.[1];
    if (port !== undefined && Number(port) > 65535) return null;
    return url.hostname ? text : null;
  } catch {
    return null;
  }
}

/** The last value of a header that proxies may have appended to ("a, b" or repeated). */
export function lastValue(value: string | string[] | null | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(",") : value;
  return joined
    ?.split(",")
    .map((v) => v.trim())
    .filter(Boolean)
    .at(-1);
}

/**
 * The origin this request was sent to, as the browser sees it. Under server.ts the forwarded
 * host and protocol were set by the server itself (from the connection, or from the trusted
 * proxies); under any other server only the Host header is used, over http. Null without a
 * well-formed host.
 */
export function requestOrigin(headers: Headers): string | null {
  const trusted = servedByConsoleServer();
  const host = validHost(trusted ? headers.get("x-forwarded-host") : headers.get("host"));
  const protocol: Protocol = trusted && headers.get("x-forwarded-proto") === "https" ? "https" : "http";
  return host ? `${protocol}://${host}` : null;
}

/**
 * Whether the console is served over HTTPS: the request came over TLS (its own or a trusted
 * proxy's), or APP_URL, the public URL, is https.
 */
export function servedOverHttps(protocol: Protocol | null, appUrl: string | undefined): boolean {
  return protocol === "https" || (appUrl?.startsWith("https:") ?? false);
}

/** The protocol of requestOrigin(), or null without one. */
export function requestProtocol(headers: Headers): Protocol | null {
  const origin = requestOrigin(headers);
  return origin ? (origin.startsWith("https:") ? "https" : "http") : null;
}
