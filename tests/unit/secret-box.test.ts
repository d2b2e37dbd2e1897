import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, UnreadableSecretError } from "@/lib/security/secret-box";

describe("secret box", () => {
  it("opens what it sealed, and each seal differs", () => {
    const a = sealSecret("whsec_abc");
    const b = sealSecret("whsec_abc");
    expect(a).not.toBe(b);
    expect(a).not.toContain("whsec_abc");
    expect(openSecret(a)).toBe("whsec_abc");
    expect(openSecret(b)).toBe("whsec_abc");
  });

  it("refuses a changed ciphertext", () => {
    const sealed = sealSecret("whsec_abc");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[2] ?? "", "base64url");
    flipped.writeUInt8(flipped.readUInt8(0) ^ 1, 0);
    parts[2] = flipped.toString("base64url");
    expect(() => openSecret(parts.join("."))).toThrow(UnreadableSecretError);
    expect(() => openSecret("garbage")).toThrow(UnreadableSecretError);
  });
});
