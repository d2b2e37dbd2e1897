import type { z } from "zod";

export const INVALID_ACTION_INPUT = "The request was not understood. Reload the page and try again.";

/** How an action answers input its schema refuses: one message, or one made from zod's issues. */
export type InvalidAnswer = string | ((error: z.ZodError) => string);

/** The first issue's own message (written for people in the schema), or the fallback. */
export function firstIssueMessage(fallback = INVALID_ACTION_INPUT): (error: z.ZodError) => string {
  return (error) => error.issues[0]?.message ?? fallback;
}

export function invalidMessage(answer: InvalidAnswer | undefined, error: z.ZodError): string {
  const given = answer ?? INVALID_ACTION_INPUT;
  return typeof given === "string" ? given : given(error);
}
