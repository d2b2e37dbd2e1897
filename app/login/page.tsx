import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getSessionUser } from "@/lib/auth/access";
import { oidcEnabled } from "@/lib/auth/auth";
import { env } from "@/lib/env";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { TimeZoneReporter } from "@/components/time/time-zone-reporter";
import { LoginForm } from "./components/login-form";
import { signInWithOidc } from "./lib/actions";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  NoOrganization: "Your account does not belong to any organization yet. Ask an administrator to add you.",
  AccessDenied: "This account cannot sign in here. Ask an administrator to add you.",
};

export default async function LoginPage({ searchParams }: PageProps<"/login">) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(typeof params.callbackUrl === "string" ? params.callbackUrl : "/");
  const error = typeof params.error === "string" ? (ERRORS[params.error] ?? null) : null;
  if (!error && (await getSessionUser())) redirect(callbackUrl);
  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/40 p-6">
      {/* Before the first console page, so it is rendered in the reader's zone from the start. */}
      <TimeZoneReporter refreshOnChange={false} />
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle className="text-xl">Audit Console</CardTitle>
          <CardDescription>Sign in to review your organization&apos;s audit log.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <LoginForm callbackUrl={callbackUrl} />
          {oidcEnabled ? (
            <form action={signInWithOidc}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <Button type="submit" variant="outline" className="w-full">
                Sign in with {env.AUTH_OIDC_NAME ?? "single sign-on"}
              </Button>
            </form>
          ) : null}
        </CardContent>
      </Card>
    </main>
  );
}
