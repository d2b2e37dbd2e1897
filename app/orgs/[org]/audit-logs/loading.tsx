import { Skeleton } from "@/components/ui/skeleton";

/** The explorer's shape while the first render of a visit is on its way. */
export default function Loading() {
  return (
    <div className="flex flex-col gap-4 p-4 md:p-6" aria-busy="true">
      <span className="sr-only" role="status">
        Loading the audit log
      </span>
      <div className="grid gap-1.5">
        <Skeleton className="h-7 w-32" />
        <Skeleton className="h-4 w-56" />
      </div>
      <div className="flex gap-2">
        <Skeleton className="h-9 w-24" />
        <Skeleton className="h-9 flex-1" />
      </div>
      <div className="overflow-hidden rounded-lg border bg-card">
        <div className="flex gap-6 border-b bg-muted/40 px-3 py-3">
          {["w-24", "w-20", "w-12", "w-20", "w-20", "w-14"].map((w, i) => (
            <Skeleton key={i} className={`h-4 ${w}`} />
          ))}
        </div>
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="flex items-center gap-6 border-b px-3 py-3 last:border-0">
            <Skeleton className="h-4 w-36" />
            <div className="grid w-40 gap-1">
              <Skeleton className="h-4 w-28" />
              <Skeleton className="h-3 w-36" />
            </div>
            <Skeleton className="h-4 w-14" />
            <Skeleton className="h-4 w-28" />
            <Skeleton className="h-4 w-24" />
            <Skeleton className="h-5 w-20 rounded-md" />
          </div>
        ))}
      </div>
    </div>
  );
}
