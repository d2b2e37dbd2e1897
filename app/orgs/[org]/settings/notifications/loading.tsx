import { Skeleton } from "@/components/ui/skeleton";

/** The notifications page's shape while its rules, channels, deliveries and streams' lag are read. */
export default function Loading() {
  return (
    <div className="mx-auto grid max-w-5xl grid-cols-[minmax(0,1fr)] gap-6 p-4 sm:p-6" aria-busy="true">
      <span className="sr-only" role="status">
        Loading notifications
      </span>
      <div className="grid gap-1.5">
        <Skeleton className="h-7 w-40" />
        <Skeleton className="h-4 w-96 max-w-full" />
      </div>
      {Array.from({ length: 4 }, (_, i) => (
        <Skeleton key={i} className="h-48 w-full rounded-lg" />
      ))}
    </div>
  );
}
