import "server-only";

import type { z } from "zod";
import { actionError, type ActionResult, type ActionState } from "@/lib/action-result";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { invalidMessage, type InvalidAnswer } from "./invalid-input";
import { settle, UNEXPECTED_ACTION_ERROR } from "./settle";

/*
 * Server actions that need no organization (signing in and out). They still check that the request
 * came from a page of this site, first, like every action: a sign-in or sign-out another site
 * triggers is login CSRF or a forced logout.
 */

interface PublicFormOptions<S extends z.ZodType> {
  name: string;
  schema: S;
  invalid?: InvalidAnswer;
  failure?: string;
}

export type PublicFormAction<T> = (previous: ActionState<T>, form: FormData) => Promise<ActionResult<T>>;

/** A form's server action for useActionState: the form's fields parsed by `schema`, one answer shape. */
export function publicFormAction<S extends z.ZodType, T>(
  options: PublicFormOptions<S>,
  body: (input: z.output<S>) => Promise<T>,
): PublicFormAction<T> {
  return async (_previous, form) => {
    await assertSameOrigin();
    const parsed = options.schema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return actionError(invalidMessage(options.invalid, parsed.error));
    return settle(options.name, options.failure ?? UNEXPECTED_ACTION_ERROR, () => body(parsed.data));
  };
}

/**
 * A plain `<form action>` whose outcome is a redirect (single sign-on, sign-out). There is no state
 * to answer into: an error other than the redirect reaches the error page, as Next.js reports it.
 */
export function redirectFormAction(body: (form: FormData) => Promise<void>): (form: FormData) => Promise<void> {
  return async (form) => {
    await assertSameOrigin();
    await body(form);
  };
}
