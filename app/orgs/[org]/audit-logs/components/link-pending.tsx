"use client";

import { useLinkStatus } from "next/link";

/**
 * Inside a <Link> to another view of the explorer: marks the page as pending while that view is
 * on its way, so the table dims (see ExplorerView) instead of seeming to ignore the click.
 */
export function LinkPending() {
  const { pending } = useLinkStatus();
  return pending ? <span hidden data-pending="" /> : null;
}
