import "server-only";

import { unstable_rethrow } from "next/navigation";
import { actionError, type ActionResult } from "@/lib/action-result";
import { ActionRefusal } from "./action-refusal";

export const UNEXPECTED_ACTION_ERROR =
  "Something went wrong on the server. Nothing was changed; try again in a moment.";

/**
 * Runs an action's body and turns its outcome into the one answer shape. A refusal becomes its
 * message; Next.js's own control flow (redirect(), notFound()) passes through; anything else is a
 * defect or an outage: logged here, once, and answered with `failure`, never with success.
 */
export async function settle<T>(name: string, failure: string, run: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { data: await run() };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof ActionRefusal) return actionError(error.message, error.fieldErrors);
    console.error(`[audit-console] server action ${name} failed`, error);
    return actionError(failure);
  }
}
