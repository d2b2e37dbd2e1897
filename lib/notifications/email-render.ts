import { entryLine, messageSubject, type NotificationPayload } from "./payload";

/*
 * The e-mail for a message: a plain-text part and an HTML part, each listing the entries with
 * their permalinks (and the search for a threshold message). Every value that comes from the log
 * is escaped in the HTML: log data is text, never markup. Pure.
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

// Only http(s) links become anchors; anything else is shown as text.
function link(url: string, label: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>` : escapeHtml(label);
}

export function renderEmail(payload: NotificationPayload): RenderedEmail {
  const subject = messageSubject(payload);
  const intro = payload.test
    ? "This is a test message from the Audit Console."
    : payload.searchUrl !== undefined
      ? `The rule "${payload.rule.name}" reached its threshold in ${payload.organization}.`
      : `The rule "${payload.rule.name}" matched in ${payload.organization}.`;
  const textLines = [intro, "", payload.text, ""];
  if (payload.searchUrl !== undefined) textLines.push(`All matching entries: ${payload.searchUrl}`, "");
  for (const entry of payload.entries) {
    textLines.push(`- ${entry.occurredAt} ${entryLine(entry)}`, `  ${entry.url}`);
  }
  textLines.push("", "Opening a link asks you to sign in if needed, then shows the entry.");

  const items = payload.entries
    .map(
      (entry) =>
        `<li><code>${escapeHtml(entry.occurredAt)}</code> ${escapeHtml(entryLine(entry))}<br>${link(entry.url, "Open this entry")}</li>`,
    )
    .join("\n");
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: system-ui, sans-serif; line-height: 1.4">',
    `<p>${escapeHtml(intro)}</p>`,
    payload.searchUrl !== undefined ? `<p>${link(payload.searchUrl, "Show all matching entries")}</p>` : "",
    `<ul>\n${items}\n</ul>`,
    "<p>Opening a link asks you to sign in if needed, then shows the entry.</p>",
    "</body></html>",
  ]
    .filter(Boolean)
    .join("\n");
  return { subject, text: textLines.join("\n"), html };
}
