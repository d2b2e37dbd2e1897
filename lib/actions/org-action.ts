import "server-only";

import type { z } from "zod";
import { getDb, type Database, type Executor, type Transaction } from "@/db/client";
import type { AuditPermission } from "@/db/schema/enums";
import { actionError, type ActionFailure, type ActionResult, type ActionState } from "@/lib/action-result";
import type { ConsoleEntry, RequestContext } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { authorizeAction, type OrgAccess, type SessionUser } from "@/lib/auth/access";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { safeText } from "@/lib/validation/safe-text";
import { invalidMessage, type InvalidAnswer } from "./invalid-input";
import { currentRequest } from "./request-context";
import { settle, UNEXPECTED_ACTION_ERROR } from "./settle";

/*
 * Every server action that acts inside an organization goes through orgAction (or orgFormAction
 * for a form with useActionState). A server action is a public POST endpoint whatever page shows
 * it, so each call checks, in this order and before the action's own code runs:
 *   1. the request came from a page of this site (a foreign, null or missing Origin throws);
 *   2. the organization slug, then the session, membership and the permission, re-read from the
 *      database (someone without the permission learns nothing about what input is accepted);
 *   3. the input parses (the schema is the only way input gets in);
 * then runs the action, in a transaction when asked, with a context that writes the console's audit
 * entry the one way (ctx.record), and answers { data } or { error }. refuse() inside the action
 * answers its message (and rolls the transaction back); an unexpected error is logged once and
 * answered with a generic message.
 */

export const ORG_NOT_FOUND = "Organization not found.";

const orgSlugSchema = safeText().trim().min(1).max(100);

export interface OrgActionContext<D extends Executor> {
  access: OrgAccess;
  user: SessionUser;
  org: OrgAccess["org"];
  /** The action's transaction with `transaction: true`, else the database. */
  db: D;
  request: RequestContext;
  /** Writes the console's audit entry for this action: this user, this request, this organization. */
  record(entry: ConsoleEntry, db?: Executor): Promise<void>;
}

interface OrgActionOptions<T> {
  /** For the log line when the action fails unexpectedly. */
  name: string;
  /** Needed in the organization; null: any member. */
  permission: AuditPermission | null;
  transaction?: boolean;
  /** The answer when the action fails unexpectedly (logged); a generic message by default. */
  failure?: string;
  /** After success (and commit): the paths whose cached renders the change makes stale. */
  revalidate?: (org: OrgAccess["org"], data: T) => void;
}

interface SchemaOptions<S extends z.ZodType, T> extends OrgActionOptions<T> {
  schema: S;
  /** The answer to input the schema refuses; INVALID_ACTION_INPUT by default. */
  invalid?: InvalidAnswer;
}

/** A form's fields read: the input, or the answer (with per-field messages) that refuses them. */
export type Parsed<I> = { ok: true; input: I } | { ok: false; failure: ActionFailure };
type Body<I, T, D extends Executor> = (input: I, ctx: OrgActionContext<D>) => Promise<T>;

function contextFor<D extends Executor>(access: OrgAccess, request: RequestContext, db: D): OrgActionContext<D> {
  return {
    access,
    user: access.user,
    org: access.org,
    db,
    request,
    record: async (entry, executor = db) => {
      await recordConsoleEntry(executor, access.org.id, access.user, request, entry);
    },
  };
}

async function runOrgAction<I, T>(
  options: OrgActionOptions<T>,
  orgSlug: unknown,
  parse: () => Parsed<I>,
  body: Body<I, T, Executor>,
): Promise<ActionResult<T>> {
  await assertSameOrigin();
  const slug = orgSlugSchema.safeParse(orgSlug);
  if (!slug.success) return actionError(ORG_NOT_FOUND);
  const auth = await authorizeAction(slug.data, options.permission);
  if (auth.error !== undefined) return actionError(auth.error);
  const parsed = parse();
  if (!parsed.ok) return parsed.failure;
  const { access } = auth;
  const request = await currentRequest();
  const result = await settle(options.name, options.failure ?? UNEXPECTED_ACTION_ERROR, () =>
    options.transaction
      ? getDb().transaction((tx) => body(parsed.input, contextFor(access, request, tx)))
      : body(parsed.input, contextFor(access, request, getDb())),
  );
  if (result.error === undefined) options.revalidate?.(access.org, result.data);
  return result;
}

function schemaParser<S extends z.ZodType>(schema: S, invalid: InvalidAnswer | undefined, raw: unknown) {
  return (): Parsed<z.output<S>> => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return { ok: true, input: parsed.data };
    return { ok: false, failure: actionError(invalidMessage(invalid, parsed.error)) };
  };
}

// An input the schema accepts as undefined may be left out by the caller.
type InputArgs<S extends z.ZodType> = undefined extends z.input<S> ? [input?: z.input<S>] : [input: z.input<S>];

export type OrgAction<S extends z.ZodType, T> = (orgSlug: string, ...input: InputArgs<S>) => Promise<ActionResult<T>>;

/** A server action called as `action(orgSlug, input)`; see the top of this file. */
export function orgAction<S extends z.ZodType, T>(
  options: SchemaOptions<S, T> & { transaction: true },
  body: Body<z.output<S>, T, Transaction>,
): OrgAction<S, T>;
export function orgAction<S extends z.ZodType, T>(
  options: SchemaOptions<S, T> & { transaction?: false },
  body: Body<z.output<S>, T, Database>,
): OrgAction<S, T>;
export function orgAction<S extends z.ZodType, T>(
  options: SchemaOptions<S, T>,
  body: Body<z.output<S>, T, never>,
): OrgAction<S, T> {
  return (orgSlug, ...[input]) =>
    runOrgAction(
      options,
      orgSlug,
      schemaParser(options.schema, options.invalid, input),
      body as Body<z.output<S>, T, Executor>,
    );
}

interface FormOptions<I, T> extends OrgActionOptions<T> {
  /** Reads the form (every field but `orgSlug`): the input, or the answer with per-field messages. */
  parse: (form: FormData) => Parsed<I>;
}

export type OrgFormAction<T> = (previous: ActionState<T>, form: FormData) => Promise<ActionResult<T>>;

/** A form's server action for useActionState; the organization comes from the form's `orgSlug` field. */
export function orgFormAction<I, T>(
  options: FormOptions<I, T> & { transaction: true },
  body: Body<I, T, Transaction>,
): OrgFormAction<T>;
export function orgFormAction<I, T>(
  options: FormOptions<I, T> & { transaction?: false },
  body: Body<I, T, Database>,
): OrgFormAction<T>;
export function orgFormAction<I, T>(options: FormOptions<I, T>, body: Body<I, T, never>): OrgFormAction<T> {
  return (_previous, form) =>
    runOrgAction(options, form.get("orgSlug"), () => options.parse(form), body as Body<I, T, Executor>);
}
