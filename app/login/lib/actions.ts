"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { recordThrottledSignIn } from "@/lib/audit/auth-events";
import { signIn } from "@/lib/auth/auth";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import { lockedUntil } from "@/lib/auth/throttle";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { INVALID_CREDENTIALS_MESSAGE, THROTTLED_MESSAGE } from "./messages";

export type SignInState = { error: string } | undefined;

const formSchema = z.object({
  email: safeText(UNSAFE_TEXT_FORM_MESSAGE).trim().min(1, "Enter your email."),
  password: z.string().min(1, "Enter your password."),
  callbackUrl: z.string().optional(),
});

export async function signInWithPassword(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = formSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? INVALID_CREDENTIALS_MESSAGE };
  // Checked here as well as in authorize(), so the message does not depend on how Auth.js reports
  // an error thrown inside authorize() through a server-side signIn().
  const h = await headers();
  const ip = clientIp(h);
  if (await lockedUntil(getDb(), { account: parsed.data.email, ip })) {
    await recordThrottledSignIn(parsed.data.email, { ip, userAgent: userAgent(h) });
    return { error: THROTTLED_MESSAGE };
  }
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: safeCallbackPath(parsed.data.callbackUrl),
    });
  } catch (error) {
    if (error instanceof CredentialsSignin) {
      return { error: error.code === "throttled" ? THROTTLED_MESSAGE : INVALID_CREDENTIALS_MESSAGE };
    }
    if (error instanceof AuthError) return { error: "Sign-in failed. Try again." };
    // Success ends in a redirect, which Next.js delivers by throwing.
    throw error;
  }
  return undefined;
}

export async function signInWithOidc(formData: FormData): Promise<void> {
  const callbackUrl = formData.get("callbackUrl");
  await signIn("oidc", { redirectTo: safeCallbackPath(typeof callbackUrl === "string" ? callbackUrl : "/") });
}
