import "server-only";

import { entryPermalink } from "@/lib/app-url";
import { env } from "@/lib/env";

/*
 * Messages are built off any request, so there is no request origin to fall back on: links use
 * APP_URL, and without it the address the console listens on (right for the embedded demo and
 * local use; a deployment behind a proxy sets APP_URL, as the README says).
 */
export function messageOrigin(): string {
  if (env.APP_URL) return env.APP_URL;
  const host = env.HOST && env.HOST !== "0.0.0.0" && env.HOST !== "::" ? env.HOST : "localhost";
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT}`;
}

export function messagePermalink(orgSlug: string, entryId: string): string {
  return entryPermalink(messageOrigin(), orgSlug, entryId);
}

export function messageUrl(path: string): string {
  return `${messageOrigin()}${path}`;
}
