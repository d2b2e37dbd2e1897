/*
 * What server.ts answers while the database is being prepared (migrations, and the demo data on
 * the embedded database's first start): 503 with Retry-After, so that a person sees a page that
 * says so and reloads itself, and a client of the API knows when to try again, instead of a
 * request that hangs until the preparation ends.
 */
export const PREPARING_RETRY_AFTER_SECONDS = 5;

export interface PreparingResponse {
  status: 503;
  headers: Record<string, string>;
  body: string;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${PREPARING_RETRY_AFTER_SECONDS}">
<title>Audit Console is starting</title>
</head>
<body>
<h1>The database is being prepared…</h1>
<p>Audit Console is starting. This page reloads itself in a few seconds.</p>
</body>
</html>
`;

export function preparingResponse(path: string): PreparingResponse {
  const common = {
    "Retry-After": String(PREPARING_RETRY_AFTER_SECONDS),
    "Cache-Control": "no-store",
    // Nothing to load: the page is its own text, and the refresh is a meta tag.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  };
  if (path.startsWith("/api/")) {
    return {
      status: 503,
      headers: { ...common, "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ error: "The console is starting: the database is being prepared. Retry shortly." }),
    };
  }
  return { status: 503, headers: { ...common, "Content-Type": "text/html; charset=utf-8" }, body: PAGE };
}
