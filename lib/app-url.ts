/** The console's public origin for links in API answers and exports: APP_URL, else the request's own. */
export function appOrigin(request?: Request): string {
  if (process.env.APP_URL) return process.env.APP_URL.replace(/\/+$/, "");
  if (request) return new URL(request.url).origin;
  return `http://localhost:${process.env.PORT ?? 3000}`;
}

export function entryPermalink(origin: string, orgSlug: string, entryId: string): string {
  return `${origin}/orgs/${encodeURIComponent(orgSlug)}/audit-logs/${encodeURIComponent(entryId)}`;
}
