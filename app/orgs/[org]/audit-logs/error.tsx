"use client";

import { RotateCw, ServerCrash } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useTransition } from "react";
import { Button, buttonVariants } from "@/components/ui/button";

/**
 * The explorer could not be read (database down, a query failed). Said plainly, instead of an
 * empty table that would look like "no entries": an audit log must not seem to have no records.
 */
export default function AuditLogError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  const { org } = useParams<{ org: string }>();
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="flex min-h-[60dvh] items-center justify-center p-6">
      <div
        role="alert"
        className="grid max-w-md justify-items-center gap-3 rounded-lg border bg-card p-8 text-center shadow-xs"
      >
        <ServerCrash className="size-10 text-muted-foreground" aria-hidden />
        <h1 className="text-lg font-semibold">The audit log could not be loaded</h1>
        <p className="text-sm text-muted-foreground">
          The entries could not be read just now. Nothing was changed. Try again in a moment; if it keeps failing, give
          your administrator this reference:{" "}
          <code className="rounded bg-muted px-1 font-mono text-xs">{error.digest ?? "n/a"}</code>
        </p>
        <div className="flex flex-wrap justify-center gap-2 pt-1">
          <Button onClick={() => startTransition(() => retry())} disabled={pending}>
            <RotateCw className={pending ? "animate-spin" : undefined} aria-hidden />
            Try again
          </Button>
          <Link
            prefetch={false}
            href={`/orgs/${encodeURIComponent(org)}/audit-logs`}
            className={buttonVariants({ variant: "outline" })}
          >
            Open the default view
          </Link>
        </div>
      </div>
    </div>
  );
}
