import { afterEach, describe, expect, it, vi } from "vitest";
import { crossOriginReason } from "@/lib/http/same-origin-request";

const h = (init: Record<string, string>) => new Headers(init);

describe("crossOriginReason", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("accepts a request from a page of the same host", () => {
    expect(crossOriginReason(h({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }))).toBeNull();
    expect(crossOriginReason(h({ origin: "https://Audit.Example.com", host: "audit.example.com" }))).toBeNull();
  });

  it("accepts the public host a proxy forwards, and APP_URL's", async () => {
    expect(
      crossOriginReason(
        h({
          origin: "https://audit.example.com",
          host: "10.0.0.5:3000",
          "x-forwarded-host": "audit.example.com, 10.0.0.5",
        }),
      ),
    ).toBeNull();
    // The environment is read once, when lib/env.ts loads.
    vi.stubEnv("APP_URL", "https://console.example.org/");
    vi.resetModules();
    const { crossOriginReason: withAppUrl } = await import("@/lib/http/same-origin-request");
    expect(withAppUrl(h({ origin: "https://console.example.org", host: "10.0.0.5:3000" }))).toBeNull();
  });

  it.each([
    ["a foreign origin", { origin: "https://evil.example", host: "127.0.0.1:3000" }],
    ["a null origin (sandboxed frame, data: URL, privacy redirect)", { origin: "null", host: "127.0.0.1:3000" }],
    ["no origin at all", { host: "127.0.0.1:3000" }],
    ["an empty origin", { origin: "", host: "127.0.0.1:3000" }],
    ["a different port", { origin: "http://127.0.0.1:4000", host: "127.0.0.1:3000" }],
    ["a look-alike host", { origin: "http://127.0.0.1:3000.evil.example", host: "127.0.0.1:3000" }],
    ["a non-http scheme", { origin: "file://127.0.0.1:3000", host: "127.0.0.1:3000" }],
    ["an unparseable origin", { origin: "http://[bad", host: "127.0.0.1:3000" }],
    ["no host to compare with", { origin: "http://127.0.0.1:3000" }],
  ])("refuses %s", (_label, init) => {
    expect(crossOriginReason(h(init))).not.toBeNull();
  });
});
