import "server-only";

import { env } from "@/lib/env";

/** Whether e-mail can be sent at all; without SMTP_URL the e-mail channel shows as not configured. */
export function smtpConfigured(): boolean {
  return Boolean(env.SMTP_URL);
}

export const SMTP_NOT_CONFIGURED = "SMTP is not configured (set SMTP_URL)";
