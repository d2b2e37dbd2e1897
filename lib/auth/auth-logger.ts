import "server-only";

/*
 * Auth.js's logger, minus the expected. A wrong password or a locked account ends in
 * CredentialsSignin, which Auth.js would print with its stack on every failed sign-in: that is
 * the form working as designed (the audit log records it, lib/audit/auth-events.ts), not a fault
 * of the server. Everything else is printed as Auth.js prints it, on one line with its cause.
 */
export const EXPECTED_AUTH_ERRORS: ReadonlySet<string> = new Set(["CredentialsSignin"]);

// Auth.js wraps the error that caused its own in `cause.err`.
function causeOf(error: Error): Error | null {
  const cause: unknown = error.cause;
  if (cause instanceof Error) return cause;
  if (cause && typeof cause === "object" && "err" in cause && cause.err instanceof Error) return cause.err;
  return null;
}

export function logAuthError(error: Error): void {
  // Auth.js's errors name their kind in `type` (AuthError), others in `name`.
  const type = "type" in error && typeof error.type === "string" ? error.type : error.name;
  if (EXPECTED_AUTH_ERRORS.has(type)) return;
  const cause = causeOf(error);
  console.error(`[auth][error] ${type}: ${error.message}`, ...(cause ? [cause] : []));
}
