// The classes next-auth re-exports; next-auth itself needs Next.js to load.
import { AuthError, CredentialsSignin } from "@auth/core/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logAuthError } from "@/lib/auth/auth-logger";

const printed = vi.spyOn(console, "error").mockImplementation(() => {});
afterEach(() => printed.mockClear());

describe("Auth.js's logger", () => {
  it("prints nothing for a refused sign-in, the form working as designed", () => {
    logAuthError(new CredentialsSignin());
    logAuthError(new (class Throttled extends CredentialsSignin {})());
    expect(printed).not.toHaveBeenCalled();
  });

  it("prints any other error on one line with its cause", () => {
    const cause = new Error("connection refused");
    logAuthError(new AuthError("callback failed", { cause: { err: cause } }));
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed).toHaveBeenCalledWith(expect.stringMatching(/^\[auth\]\[error\] AuthError: callback failed/), cause);
  });
});
