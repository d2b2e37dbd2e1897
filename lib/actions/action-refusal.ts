import "server-only";

import type { FieldErrors } from "@/lib/action-result";

/**
 * A refusal the user is meant to read: ends the action with its message. Thrown inside an
 * action's transaction it also rolls the transaction back, so nothing half-done is kept.
 */
export class ActionRefusal extends Error {
  constructor(
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = "ActionRefusal";
  }
}

export function refuse(message: string, fieldErrors?: FieldErrors): never {
  throw new ActionRefusal(message, fieldErrors);
}
