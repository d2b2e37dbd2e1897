import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce } from "@/lib/http/content-security-policy";
import { servedOverHttps } from "@/lib/http/request-origin";
import { API_CONTENT_SECURITY_POLICY, securityHeaders } from "@/lib/http/security-headers";

describe("securityHeaders", () => {
  it("sends HSTS only over HTTPS", () => {
    expect(securityHeaders({ https: false, path: "/login" })).toEqual({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    expect(securityHeaders({ https: true, path: "/login" })["Strict-Transport-Security"]).toBe(
      "max-age=31536000; includeSubDomains",
    );
  });

  it("gives route handlers under /api a policy that allows nothing", () => {
    expect(securityHeaders({ https: false, path: "/api/v1/audit-events" })["Content-Security-Policy"]).toBe(
      API_CONTENT_SECURITY_POLICY,
    );
    expect(securityHeaders({ https: false, path: "/orgs/acme/audit-logs" })["Content-Security-Policy"]).toBeUndefined();
  });

  it("counts HTTPS from the request's trusted protocol or an https APP_URL", () => {
    expect(servedOverHttps("https", undefined)).toBe(true);
    expect(servedOverHttps("http", "https://audit.example.com")).toBe(true);
    expect(servedOverHttps("http", "http://audit.example.com")).toBe(false);
    expect(servedOverHttps(null, undefined)).toBe(false);
  });
});

describe("contentSecurityPolicy", () => {
  const base = { nonce: "abc123", https: false, development: false, formTargets: [] };

  it("lets only the nonce's scripts run, and no page be framed", () => {
    const policy = contentSecurityPolicy(base);
    expect(policy).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("form-action 'self'");
    expect(policy).not.toContain("upgrade-insecure-requests");
  });

  it("adapts to development, HTTPS and a single sign-on provider", () => {
    const policy = contentSecurityPolicy({
      ...base,
      development: true,
      https: true,
      formTargets: ["https://login.example.com"],
    });
    expect(policy).toContain("'strict-dynamic' 'unsafe-eval'");
    expect(policy).toContain("upgrade-insecure-requests");
    expect(policy).toContain("form-action 'self' https://login.example.com");
  });

  it("makes a fresh 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
