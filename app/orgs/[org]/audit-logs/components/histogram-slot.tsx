"use client";

import type { ReactNode } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { useExplorerLayout } from "./explorer-layout";

/**
 * Where the compact histogram goes: gone at once when the reader hides it, and a placeholder
 * from the moment they show it again until the server has read it (`chart` is null when the
 * page was rendered with the histogram hidden).
 */
export function HistogramSlot({ chart }: { chart: ReactNode }) {
  const layout = useExplorerLayout();
  if (!layout.chart) return null;
  return (
    <section aria-label="Histogram of this search" className="rounded-lg border bg-card px-3 py-2">
      {chart ?? <CompactHistogramSkeleton />}
    </section>
  );
}

export function CompactHistogramSkeleton() {
  return (
    <div className="grid gap-2" aria-hidden>
      <Skeleton className="h-4 w-64" />
      <Skeleton className="h-24 w-full" />
    </div>
  );
}
