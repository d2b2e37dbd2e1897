import { Skeleton } from "@/components/ui/skeleton";

/** The insights page's shape while its figures are read. */
export default function Loading() {
  return (
    <div className="flex flex-col gap-4 p-4 md:p-6" aria-busy="true">
      <span className="sr-only" role="status">
        Loading insights
      </span>
      <div className="grid gap-1.5">
        <Skeleton className="h-7 w-32" />
        <Skeleton className="h-4 w-64" />
      </div>
      <Skeleton className="h-80 w-full rounded-lg" />
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-40 rounded-lg" />
        ))}
      </div>
    </div>
  );
}
