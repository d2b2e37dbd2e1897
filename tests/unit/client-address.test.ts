import { afterEach, describe, expect, it } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressFrom,
  normalizeAddress,
  resolveClientAddress,
} from "@/lib/http/client-address";
import { markServedByConsoleServer } from "@/lib/http/console-server-mark";
import { applyForwarding, resolveForwarding, type ForwardedRequest } from "@/lib/http/forwarded-headers";
import { requestOrigin, validHost } from "@/lib/http/request-origin";

afterEach(() => markServedByConsoleServer(false));

describe("normalizeAddress", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["::1", "::1"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    "",
    "unknown",
    "0x7f.1",
    "127.1",
    "017.0.0.1x",
    "203.0.113.7:8080",
    "[::1]",
    "1.2.3.4, 5.6.7.8",
    "300.1.1.1",
  ])("refuses %j", (input) => {
    expect(normalizeAddress(input)).toBeNull();
  });
});

describe("resolveClientAddress", () => {
  const peer = "::ffff:10.0.0.5";

  it("with no trusted proxy, is the connection's address whatever X-Forwarded-For claims", () => {
    expect(resolveClientAddress(peer, "203.0.113.9", 0)).toBe("10.0.0.5");
    expect(resolveClientAddress(peer, "203.0.113.9, 198.51.100.1", 0)).toBe("10.0.0.5");
    expect(resolveClientAddress(peer, undefined, 0)).toBe("10.0.0.5");
  });

  it("behind N trusted proxies, is the N-th address from the right", () => {
    // client claims 1.1.1.1; proxy A saw 203.0.113.9 and appended it; proxy B appended A's address.
    const chain = "1.1.1.1, 203.0.113.9, 10.0.0.2";
    expect(resolveClientAddress(peer, chain, 1)).toBe("10.0.0.2");
    expect(resolveClientAddress(peer, chain, 2)).toBe("203.0.113.9");
    expect(resolveClientAddress(peer, chain, 3)).toBe("1.1.1.1");
    expect(resolveClientAddress(peer, ["1.1.1.1", "203.0.113.9, 10.0.0.2"], 2)).toBe("203.0.113.9");
    expect(resolveClientAddress(peer, "1.1.1.1,::ffff:203.0.113.9 , 10.0.0.2", 2)).toBe("203.0.113.9");
  });

  it("falls back to the connection when the chain is shorter than the proxies or the entry is not an address", () => {
    expect(resolveClientAddress(peer, "203.0.113.9", 2)).toBe("10.0.0.5");
    expect(resolveClientAddress(peer, undefined, 1)).toBe("10.0.0.5");
    expect(resolveClientAddress(peer, "1.1.1.1, not-an-ip, 10.0.0.2", 2)).toBe("10.0.0.5");
  });

  it("whatever a client prepends, the address behind one proxy is the one the proxy appended", () => {
    for (const forged of ["1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage", "", "::1"]) {
      const chain = forged ? `${forged}, 198.51.100.20` : "198.51.100.20";
      expect(resolveClientAddress(peer, chain, 1)).toBe("198.51.100.20");
    }
  });
});

describe("the request headers server.ts writes", () => {
  const request = (headers: ForwardedRequest["headers"], remoteAddress = "::ffff:127.0.0.1"): ForwardedRequest => ({
    headers,
    socket: { remoteAddress },
  });

  it("overwrite a forged client address, chain, host and protocol when no proxy is trusted", () => {
    const headers = {
      host: "console.test:3000",
      "x-forwarded-for": "203.0.113.9",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      [CLIENT_ADDRESS_HEADER]: "198.51.100.1",
    };
    const forwarding = resolveForwarding(request(headers), 0);
    expect(forwarding).toEqual({ clientAddress: "127.0.0.1", host: "console.test:3000", protocol: "http" });
    applyForwarding(headers, forwarding!, 0);
    expect(headers).toEqual({
      host: "console.test:3000",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-host": "console.test:3000",
      "x-forwarded-proto": "http",
      [CLIENT_ADDRESS_HEADER]: "127.0.0.1",
    });
  });

  it("take the host and protocol the nearest trusted proxy wrote, and keep the chain", () => {
    const headers = {
      host: "10.0.0.5:3000",
      "x-forwarded-for": "1.1.1.1, 203.0.113.9",
      "x-forwarded-host": "evil.example, audit.example.com",
      "x-forwarded-proto": "http, https",
    };
    const forwarding = resolveForwarding(request(headers, "10.0.0.2"), 1);
    expect(forwarding).toEqual({ clientAddress: "203.0.113.9", host: "audit.example.com", protocol: "https" });
    applyForwarding(headers, forwarding!, 1);
    expect(headers["x-forwarded-for"]).toBe("1.1.1.1, 203.0.113.9");
    expect(headers["x-forwarded-host"]).toBe("audit.example.com");
    expect(headers[CLIENT_ADDRESS_HEADER as "host"]).toBe("203.0.113.9");
  });

  it("refuse a request without a well-formed host", () => {
    for (const host of [undefined, "", "evil.example/path", "user@evil.example", "a b", "host:99999", "[::1"]) {
      expect(resolveForwarding(request({ host }), 0), String(host)).toBeNull();
    }
  });
});

describe("validHost", () => {
  it.each([
    ["Console.Test:3000", "console.test:3000"],
    ["127.0.0.1:80", "127.0.0.1:80"],
    ["[::1]:3000", "[::1]:3000"],
    ["audit.example.com", "audit.example.com"],
  ])("%s -> %s", (input, expected) => expect(validHost(input)).toBe(expected));
});

describe("what the application reads", () => {
  const headers = new Headers({
    [CLIENT_ADDRESS_HEADER]: "203.0.113.9",
    host: "10.0.0.5:3000",
    "x-forwarded-host": "audit.example.com",
    "x-forwarded-proto": "https",
  });

  it("trusts the server's headers only when served by server.ts", () => {
    expect(clientAddressFrom(headers)).toBeNull();
    expect(requestOrigin(headers)).toBe("http://10.0.0.5:3000");
    markServedByConsoleServer();
    expect(clientAddressFrom(headers)).toBe("203.0.113.9");
    expect(requestOrigin(headers)).toBe("https://audit.example.com");
  });
});
