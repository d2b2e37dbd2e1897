import { readFileSync } from "node:fs";
import path from "node:path";
import type { HttpClient, HttpResult } from "./http-client";

/*
 * Calling a server action over HTTP as the browser does: a POST to the page that uses it, with the
 * action's id (from the build's server-reference manifest) in the Next-Action header, the
 * arguments encoded as React encodes plain JSON values, and the answer read from the RSC stream.
 * This is how the export modal's count and the export's start are measured end to end.
 */

interface ManifestEntry {
  workers: Record<string, unknown>;
  filename?: string;
  exportedName?: string;
}

export interface FoundAction {
  id: string;
  /** A page that serves the action: Next.js finds actions through the page they are posted to. */
  pagePath: string;
}

/** The action's id and a page to post it to, `[org]` being `orgSlug`. */
export function findAction(distDir: string, filename: string, exportedName: string, orgSlug: string): FoundAction {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  const found = Object.entries(manifest.node).find(
    ([, e]) => e.filename === filename && e.exportedName === exportedName,
  );
  if (!found) throw new Error(`server action ${exportedName} (${filename}) is not in the build at ${distDir}`);
  const [id, entry] = found;
  const pages = Object.keys(entry.workers).filter((w) => /^app\/.*\/page$/.test(w) && !/\[(?!org\])[^\]]+\]/.test(w));
  const page = pages.find((w) => w === "app/orgs/[org]/audit-logs/page") ?? pages[0];
  if (!page) throw new Error(`server action ${exportedName} is used by no page the benchmark can address`);
  const pagePath =
    page
      .replace(/^app/, "")
      .replace(/\/page$/, "")
      .replace("[org]", encodeURIComponent(orgSlug)) || "/";
  return { id, pagePath };
}

// React's encodeReply writes plain JSON, except that strings starting with "$" are escaped.
function encodeArgs(args: unknown[]): string {
  return JSON.stringify(args, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith("$") ? `$${value}` : value,
  );
}

/** The action's return value from the flight stream: the row the root's "a" field points to. */
export function actionResult(body: string): unknown {
  const rows = new Map<string, string>();
  for (const line of body.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
  const ref = typeof root?.a === "string" && root.a.startsWith("$@") ? root.a.slice(2) : null;
  if (ref === null) return root?.a ?? null;
  const text = rows.get(ref);
  if (text === undefined) throw new Error(`the action's answer has no row ${ref}: ${body.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

export async function callAction(
  client: HttpClient,
  pagePath: string,
  actionId: string,
  args: unknown[],
): Promise<{ value: unknown; http: HttpResult }> {
  const http = await client.request(pagePath, {
    method: "POST",
    headers: {
      "next-action": actionId,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: client.base.origin,
    },
    body: encodeArgs(args),
  });
  if (http.status !== 200)
    throw new Error(
      `server action ${actionId} on ${pagePath} answered ${http.status}: ${http.body?.toString("utf8").slice(0, 300)}`,
    );
  return { value: actionResult(http.body!.toString("utf8")), http };
}
