"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { reportBrowserTimeZone } from "@/lib/preferences/time-zone-cookie";

/**
 * Tells the server the browser's zone (a cookie). The sign-in page does it first, so a signed-in
 * page is rendered in the right zone from the start; where the cookie was missing or stale (a
 * new device, a trip), the page is rendered again once, unless the reader chose a zone.
 */
export function TimeZoneReporter({ refreshOnChange }: { refreshOnChange: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (reportBrowserTimeZone() && refreshOnChange) router.refresh();
  }, [refreshOnChange, router]);
  return null;
}
