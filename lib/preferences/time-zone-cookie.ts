/*
 * The browser reports its time zone in this cookie (on the sign-in page and whenever it differs),
 * so the server can render times in the reader's zone before any script runs. It is a display
 * hint, read only after validation (isTimeZone); a preference saved in the user menu wins over it.
 * Pure: the browser writes it, the server reads it.
 */
export const TIME_ZONE_COOKIE = "audit_tz";

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The zone this browser runs in, or null when the runtime cannot tell. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** The zone the cookie holds, as the browser sees its own cookies. */
export function reportedTimeZone(cookieHeader: string): string | null {
  for (const part of cookieHeader.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === TIME_ZONE_COOKIE) return value.join("=");
  }
  return null;
}

/** Writes the browser's zone into the cookie; true when it changed (the page then re-renders). */
export function reportBrowserTimeZone(): boolean {
  const zone = browserTimeZone();
  if (!zone || reportedTimeZone(document.cookie) === zone) return false;
  // IANA names use only letters, digits, "_", "+", "-" and "/": nothing a cookie value must escape.
  document.cookie = `${TIME_ZONE_COOKIE}=${zone}; path=/; max-age=${ONE_YEAR_SECONDS}; samesite=lax`;
  return true;
}
