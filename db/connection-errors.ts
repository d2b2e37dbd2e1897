import "server-only";

/*
 * Errors that say the connection itself is gone, not that the statement was wrong: the server
 * ended the backend (57P01 admin shutdown or pg_terminate_backend, 57P02 crash shutdown, 57P03
 * cannot connect now), the socket closed or was reset, or connecting failed. The statement did
 * not complete on a live session, so a read can run again on another connection.
 */

const SOCKET_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENOTCONN",
]);

// SQLSTATE class 08 (connection exception); class 57P (the backend was ended) is matched by prefix.
const SQLSTATE_CODES: ReadonlySet<string> = new Set(["08000", "08001", "08003", "08004", "08006"]);

// postgres.js's own codes: CONNECTION_CLOSED, CONNECTION_ENDED, CONNECTION_DESTROYED, CONNECT_TIMEOUT.
const DRIVER_CODE = /^CONNECT(ION)?_/;

function isLostHere(error: object): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (severity === "FATAL" || severity === "PANIC") return true;
  return (
    typeof code === "string" &&
    (code.startsWith("57P") || SQLSTATE_CODES.has(code) || SOCKET_CODES.has(code) || DRIVER_CODE.test(code))
  );
}

/**
 * The error, or one it wraps (drizzle wraps driver errors in DrizzleQueryError's `cause`), says
 * the database connection was lost.
 */
export function isConnectionLost(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (isLostHere(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** SQLSTATE 23505 (unique violation), on the error or the one it wraps. */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
