/** Per-field messages of a form, by field name. */
export type FieldErrors = Record<string, string>;

/**
 * What every server action answers: its data, or a message to show the user (a form's action may
 * add a message per field). Plain data, so client components use the type too.
 */
export type ActionResult<T> =
  | { data: T; error?: undefined; fieldErrors?: undefined }
  | { error: string; fieldErrors?: FieldErrors; data?: undefined };

export type ActionFailure = Extract<ActionResult<unknown>, { error: string }>;

/** A form action's useActionState state: nothing submitted yet, or the last answer. */
export type ActionState<T> = ActionResult<T> | null;

export function actionError(error: string, fieldErrors?: FieldErrors): ActionFailure {
  return fieldErrors ? { error, fieldErrors } : { error };
}
