"use server";

import { redirectFormAction } from "@/lib/actions/public-action";
import { signOut } from "@/lib/auth/auth";

// Checks the origin first (redirectFormAction): another site must not be able to sign people out.
export const signOutAction = redirectFormAction(async () => {
  await signOut({ redirectTo: "/login" });
});
