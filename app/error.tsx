"use client";

import { Button } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-[60dvh] flex-col items-center justify-center gap-4 p-8 text-center" role="alert">
      <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
      <p className="max-w-md text-sm text-muted-foreground">
        The page could not be loaded. Nothing was changed. Try again; if it keeps failing, give your administrator this
        reference: <code className="font-mono">{error.digest ?? "n/a"}</code>
      </p>
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
