import "server-only";

import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/lib/env";
import { renderEmail } from "./email-render";
import type { NotificationPayload } from "./payload";
import { SMTP_NOT_CONFIGURED } from "./smtp";
import type { SendOutcome } from "./webhook-send";

/*
 * One notification e-mail over SMTP_URL (nodemailer), from SMTP_FROM, to the recipients that
 * passed the audit.view check. One transport per SMTP_URL and timeout, reused across messages.
 * Errors are reported by code and the server's reply, never with the URL (it holds the password).
 */

const transports = new Map<string, Transporter>();

function transportFor(url: string, timeoutMs: number): Transporter {
  const key = `${timeoutMs}|${url}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = nodemailer.createTransport(url, {
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as Parameters<typeof nodemailer.createTransport>[1]);
    transports.set(key, transport);
  }
  return transport;
}

function smtpError(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; response?: string } | null;
  const reply = e?.response ? `: ${e.response.split("\n")[0]!.slice(0, 200)}` : "";
  if (e?.responseCode) return `the SMTP server refused the message (${e.responseCode}${reply})`;
  if (e?.code === "ETIMEDOUT" || e?.code === "ETIMEOUT") return "the SMTP server did not answer in time (timed out)";
  if (e?.code === "ECONNECTION" || e?.code === "ESOCKET") return `could not talk to the SMTP server (${e.code})`;
  return `sending the e-mail failed${e?.code ? ` (${e.code})` : ""}`;
}

export async function sendEmail(
  payload: NotificationPayload,
  recipients: readonly string[],
  deliveryId: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const url = env.SMTP_URL;
  if (!url) return { ok: false, error: SMTP_NOT_CONFIGURED, permanent: true };
  const message = renderEmail(payload);
  const transport = transportFor(url, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: `the SMTP server did not finish within ${timeoutMs / 1000} s (timed out)` }),
      timeoutMs,
    );
  });
  const sent = transport
    .sendMail({
      from: env.SMTP_FROM,
      to: [...recipients],
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { "X-Audit-Delivery": deliveryId },
    })
    .then((): SendOutcome => ({ ok: true }))
    .catch((error: unknown): SendOutcome => ({ ok: false, error: smtpError(error) }));
  try {
    return await Promise.race([sent, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
