import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 p-8 text-center">
      <p className="text-sm font-medium text-muted-foreground">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="max-w-md text-sm text-muted-foreground">
        The page does not exist, or you do not have access to it.
      </p>
      <Button asChild>
        <Link prefetch={false} href="/">
          Go to your audit log
        </Link>
      </Button>
    </main>
  );
}
