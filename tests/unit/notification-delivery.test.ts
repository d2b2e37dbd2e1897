import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderEmail } from "@/lib/notifications/email-render";
import type { NotificationPayload } from "@/lib/notifications/payload";
import { ruleQueryString, ruleSearchHref, ruleWholeSearch } from "@/lib/notifications/rule-search";
import { MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_MAX_MS, retryDelayMs } from "@/lib/notifications/sender";
import { signatureHeaders, signBody } from "@/lib/notifications/webhook-send";
import { checkWebhookUrl, refusedAddressReason } from "@/lib/notifications/webhook-url";

describe("webhook signature", () => {
  it("is sha256= and the hex HMAC-SHA256 of the raw body with the secret", () => {
    // RFC 4231 test case 2.
    expect(signBody("Jefe", "what do ya want for nothing?")).toBe(
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    const body = JSON.stringify({ text: "héllo ✓" });
    expect(signBody("s3cret", body)).toBe(
      `sha256=${createHmac("sha256", "s3cret").update(Buffer.from(body, "utf8")).digest("hex")}`,
    );
    expect(signBody("s3cret", body)).not.toBe(signBody("s3cret", `${body} `));
    expect(signBody("s3cret", body)).not.toBe(signBody("other", body));
  });
});

// The README's verification code, as a receiver would paste it.
function verifyAuditSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`);
  const given = Buffer.from(String(header ?? ""));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("the README's signature check", () => {
  it("accepts what the console signs and nothing else", () => {
    const body = JSON.stringify({ rule: { id: "r", name: "n" }, text: "ünïcode" });
    const header = signBody("s3cret", body);
    expect(verifyAuditSignature(Buffer.from(body), header, "s3cret")).toBe(true);
    expect(verifyAuditSignature(Buffer.from(body), header, "other")).toBe(false);
    expect(verifyAuditSignature(Buffer.from(`${body}\n`), header, "s3cret")).toBe(false);
    expect(verifyAuditSignature(Buffer.from(body), undefined, "s3cret")).toBe(false);
  });

  it("during a rotation: the contract's header under the new secret, the previous header under the old", () => {
    const body = JSON.stringify({ rule: { id: "r", name: "n" }, text: "rotated" });
    const headers = signatureHeaders(["new-secret", "old-secret"], body);
    expect(headers).toEqual({
      "X-Audit-Signature": signBody("new-secret", body),
      "X-Audit-Signature-Previous": signBody("old-secret", body),
    });
    const raw = Buffer.from(body);
    expect(verifyAuditSignature(raw, headers["X-Audit-Signature"], "new-secret")).toBe(true);
    expect(verifyAuditSignature(raw, headers["X-Audit-Signature"], "old-secret")).toBe(false);
    expect(verifyAuditSignature(raw, headers["X-Audit-Signature-Previous"], "old-secret")).toBe(true);
    expect(verifyAuditSignature(Buffer.from(`${body} `), headers["X-Audit-Signature-Previous"], "old-secret")).toBe(
      false,
    );
    expect(signatureHeaders(["new-secret"], body)).toEqual({ "X-Audit-Signature": signBody("new-secret", body) });
  });
});

describe("retry backoff", () => {
  it("grows fourfold per attempt from 30 s, capped at 2 h, with up to half of it random", () => {
    const low = (attempt: number) => retryDelayMs(attempt, () => 0);
    const high = (attempt: number) => retryDelayMs(attempt, () => 0.999999);
    expect(low(1)).toBe(RETRY_BASE_MS / 2);
    expect(high(1)).toBeCloseTo(RETRY_BASE_MS, -1);
    for (let attempt = 2; attempt < MAX_ATTEMPTS; attempt++) {
      expect(low(attempt)).toBe(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 4 ** (attempt - 1)) / 2);
    }
    expect(high(20)).toBeLessThanOrEqual(RETRY_MAX_MS);
    expect(low(20)).toBe(RETRY_MAX_MS / 2);
    // Jitter: two workers that failed together do not come back together.
    const seen = new Set(Array.from({ length: 50 }, () => retryDelayMs(3)));
    expect(seen.size).toBeGreaterThan(40);
    // The whole schedule: the last attempt comes about 2 h 45 min after the first at most.
    const total = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => high(i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(3 * 60 * 60_000);
  });
});

describe("webhook URL guard", () => {
  const refused = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/",
    "http://0.0.0.0/",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:a9fe:a9fe]/hook",
    "http://[fd00:ec2::254]/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://localhost:3000/hook",
    // Other spellings of 127.0.0.1, as URL parsing reads them.
    "http://2130706433/",
    "http://0x7f.1/",
  ];
  it.each(refused)("refuses %s", async (url) => {
    const result = await checkWebhookUrl(url, { allowPrivate: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/address/);
  });

  it("names the address a host name resolves to", async () => {
    const result = await checkWebhookUrl("http://localhost/hook", { allowPrivate: false });
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/),
    });
  });

  it("accepts public addresses, and private ones when the deployment allows them", async () => {
    expect(await checkWebhookUrl("https://93.184.215.14/hook", { allowPrivate: false })).toEqual({ ok: true });
    expect(await checkWebhookUrl("https://[2606:4700::1111]/hook", { allowPrivate: false })).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://127.0.0.1:3200/hook", { allowPrivate: true })).toEqual({ ok: true });
  });

  it("refuses other schemes, credentials in the URL and text that is no URL, whatever is allowed", async () => {
    for (const url of [
      "ftp://93.184.215.14/",
      "file:///etc/passwd",
      "https://user:pw@93.184.215.14/",
      "not a url",
      "gopher://x",
    ]) {
      expect((await checkWebhookUrl(url, { allowPrivate: true })).ok).toBe(false);
    }
  });

  it("classifies addresses", () => {
    expect(refusedAddressReason("8.8.8.8")).toBeNull();
    expect(refusedAddressReason("::ffff:8.8.8.8")).toBeNull();
    expect(refusedAddressReason("169.254.169.254")).toContain("link-local");
    expect(refusedAddressReason("::ffff:10.0.0.1")).toContain("private");
    expect(refusedAddressReason("64:ff9b::7f00:1")).toContain("reserved");
  });
});

const payload: NotificationPayload = {
  rule: { id: "r1", name: 'Deploys <img src=x onerror="alert(1)">' },
  organization: "acme",
  entries: [
    {
      id: "e1",
      url: "http://console.test/orgs/acme/audit-logs/e1",
      occurredAt: "2026-11-20T09:15:00.000Z",
      category: "service",
      action: "deploy",
      result: "failed",
      level: "notice",
      actor: { id: "u1", name: "Kim", email: "kim@acme.test" },
      target: { type: "service", id: "svc", name: "</li><script>x()</script>" },
      description: null,
    },
    {
      id: "e2",
      url: "javascript:alert(1)",
      occurredAt: "2026-11-20T09:16:00.000Z",
      category: "service",
      action: "deploy",
      result: "done",
      level: "notice",
      actor: null,
      target: null,
      description: "a & b",
    },
  ],
  searchUrl: "http://console.test/orgs/acme/audit-logs?period=custom",
  text: "[acme] Deploys: 2 matching entries",
};

describe("notification e-mail", () => {
  it("lists every entry with its permalink in text and HTML, escaping log data in the HTML", () => {
    const mail = renderEmail(payload);
    expect(mail.text).toContain("http://console.test/orgs/acme/audit-logs/e1");
    expect(mail.text).toContain("All matching entries: http://console.test/orgs/acme/audit-logs?period=custom");
    expect(mail.html).toContain('<a href="http://console.test/orgs/acme/audit-logs/e1">');
    expect(mail.html).toContain('<a href="http://console.test/orgs/acme/audit-logs?period=custom">');
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain("&lt;/li&gt;&lt;script&gt;x()&lt;/script&gt;");
    expect(mail.html).toContain("a &amp; b");
    // Only http(s) becomes a link.
    expect(mail.html).not.toContain('href="javascript:');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(escapeHtml(`"'<>&`)).toBe("&quot;&#39;&lt;&gt;&amp;");
  });
});

describe("rule search", () => {
  const rule = { query: "level:notice", types: ["auth", "user"] as const, results: ["failed"] as const };
  it("is the explorer's search: the same params, and a window as period=custom", () => {
    const window = { from: new Date("2026-11-20T09:00:00.001Z"), to: new Date("2026-11-20T09:10:00.000Z") };
    const whole = ruleWholeSearch({ ...rule, types: [...rule.types], results: [...rule.results] }, window);
    expect(whole.params.period).toBe("custom");
    expect(whole.params.range).toEqual({ from: "2026-11-20T09:00:00.001Z", to: "2026-11-20T09:10:00.001Z" });
    expect(whole.params.type).toEqual(["auth", "user"]);
    expect(whole.params.result).toEqual(["failed"]);
    expect(whole.search.filters.map((f) => f.key)).toEqual(["level"]);
    const href = ruleSearchHref("acme", { ...rule, types: [...rule.types], results: [...rule.results] }, window, {
      by: "ip",
      value: "10.0.0.1",
    });
    expect(href.startsWith("/orgs/acme/audit-logs?")).toBe(true);
    expect(new URLSearchParams(href.split("?")[1]).get("q")).toBe("level:notice ip:10.0.0.1");
  });

  it("without a window is the explorer's default period (the preview's last 7 days)", () => {
    expect(ruleQueryString({ query: "", types: [], results: [] })).toBe("");
    const whole = ruleWholeSearch(
      { query: "action:delete", types: [], results: [] },
      null,
      new Date("2026-11-20T00:00:00Z"),
    );
    expect(whole.params.period).toBe("7d");
    expect(whole.params.range.from).toBe("2026-11-13T00:00:00.000Z");
    expect(ruleSearchHref("acme", { query: "", types: [], results: [] })).toBe("/orgs/acme/audit-logs");
  });
});
