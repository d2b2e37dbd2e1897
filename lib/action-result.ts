/** What a server action answers: its data, or a message to show the user. */
export type ActionResult<T> = { data: T; error?: undefined } | { error: string; data?: undefined };

export function actionError(error: string): { error: string } {
  return { error };
}
