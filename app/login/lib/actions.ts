"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { getDb } from "@/db/client";
import { refuse } from "@/lib/actions/action-refusal";
import { firstIssueMessage } from "@/lib/actions/invalid-input";
import { publicFormAction, redirectFormAction } from "@/lib/actions/public-action";
import { currentRequest } from "@/lib/actions/request-context";
import { recordThrottledSignIn } from "@/lib/audit/auth-events";
import { signIn } from "@/lib/auth/auth";
import { lockedUntil } from "@/lib/auth/throttle";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { INVALID_CREDENTIALS_MESSAGE, THROTTLED_MESSAGE } from "./messages";

const formSchema = z.object({
  email: safeText(UNSAFE_TEXT_FORM_MESSAGE).trim().min(1, "Enter your email."),
  password: z.string().min(1, "Enter your password."),
  callbackUrl: z.string().optional(),
});

/** Succeeds only by redirecting (Next.js delivers a redirect by throwing); otherwise answers why not. */
export const signInWithPassword = publicFormAction(
  {
    name: "signInWithPassword",
    schema: formSchema,
    invalid: firstIssueMessage(INVALID_CREDENTIALS_MESSAGE),
    failure: "Sign-in failed. Try again.",
  },
  async ({ email, password, callbackUrl }): Promise<never> => {
    // Checked here as well as in authorize(), so the message does not depend on how Auth.js reports
    // an error thrown inside authorize() through a server-side signIn().
    const request = await currentRequest();
    if (await lockedUntil(getDb(), { account: email, ip: request.ip })) {
      await recordThrottledSignIn(email, request);
      refuse(THROTTLED_MESSAGE);
    }
    try {
      await signIn("credentials", { email, password, redirectTo: safeCallbackPath(callbackUrl) });
    } catch (error) {
      if (error instanceof CredentialsSignin) {
        refuse(error.code === "throttled" ? THROTTLED_MESSAGE : INVALID_CREDENTIALS_MESSAGE);
      }
      if (error instanceof AuthError) refuse("Sign-in failed. Try again.");
      throw error;
    }
    throw new Error("signIn() returned without redirecting");
  },
);

export const signInWithOidc = redirectFormAction(async (formData) => {
  const callbackUrl = formData.get("callbackUrl");
  await signIn("oidc", { redirectTo: safeCallbackPath(typeof callbackUrl === "string" ? callbackUrl : "/") });
});
