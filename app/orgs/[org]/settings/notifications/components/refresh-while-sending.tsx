"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

const EVERY_MS = 3000;

/**
 * While messages wait or are being sent, re-reads the page now and then, so a test message's
 * outcome shows without a reload. Stops once none is in flight, or while the tab is hidden.
 */
export function RefreshWhileSending({ inFlight }: { inFlight: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!inFlight) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, EVERY_MS);
    return () => clearInterval(timer);
  }, [inFlight, router]);
  return null;
}
