import "server-only";

/*
 * The client's address as seen by the nearest proxy. Next.js appends the socket address to
 * x-forwarded-for, so the last entry is the one no client can forge; earlier entries are whatever
 * the client claimed. Deployments behind N trusted proxies set TRUSTED_PROXY_HOPS=N.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const hops = Math.max(0, Number(process.env.TRUSTED_PROXY_HOPS ?? 0));
  if (forwarded) {
    const chain = forwarded
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const ip = chain[Math.max(0, chain.length - 1 - hops)];
    if (ip) return normalizeIp(ip);
  }
  return normalizeIp(headers.get("x-real-ip") ?? "127.0.0.1");
}

function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

export function userAgent(headers: Headers): string | null {
  return headers.get("user-agent")?.slice(0, 1000) ?? null;
}
