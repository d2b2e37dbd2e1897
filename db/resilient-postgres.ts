import "server-only";

import type postgres from "postgres";
import { isConnectionLost } from "./connection-errors";
import { withReadRetry } from "./read-retry";

/*
 * The postgres.js client that drizzle is given, made to survive a database connection that dies
 * under it (pg_terminate_backend, a restart, a failover, a proxy dropping the socket). postgres.js
 * 3.4.9 gets two things wrong there, and both are handled here rather than by each caller:
 *
 * 1. A connection killed while a statement was in flight keeps the server's "terminating
 *    connection" error and hands it to the FIRST statement run after it reconnects (the error is
 *    not cleared when the socket closes; porsager/postgres#1223 is the same defect at startup).
 *    So the request after an outage failed with 57P01 although the database was back. Every
 *    statement that only reads is therefore run once more when its connection was lost.
 * 2. A transaction whose connection dies: postgres.js then writes ROLLBACK (or the transaction's
 *    next statement) to the closed socket from a timer, a TypeError that no caller can catch and
 *    that ends the process (porsager/postgres#1133, #1208). Here a transaction that lost its
 *    connection never reaches postgres.js again: its next statements are refused on our side, and
 *    its callback is left pending instead of failing, so postgres.js's own ROLLBACK is never sent.
 *    postgres.js rejects the transaction itself when the socket closes, so the caller still gets
 *    the error. A transaction that failed at BEGIN never ran, so it is run once more.
 *
 * Statements that write outside a transaction are not run again here: whether they took effect
 * is unknown when the connection dies. The callers that can make that safe do it themselves
 * (ingestion, lib/audit/record-audit-event.ts).
 */

// A statement that can only read: it starts with a reading keyword and names no writing command.
const READING_START = /^\s*(select|with|show|explain|values|table)\b/i;
const WRITING_WORD = /\b(insert|update|delete|merge|copy|truncate|lock|nextval|setval|pg_advisory_\w+)\b/i;

export function isReadOnlyStatement(text: string): boolean {
  return READING_START.test(text) && !WRITING_WORD.test(text);
}

type Query = postgres.PendingQuery<postgres.Row[]>;
// postgres.js's `unsafe`, without its row-type parameter (the proxies return it for any row type).
type Unsafe = (...args: Parameters<postgres.Sql["unsafe"]>) => Query;
type Begin = postgres.Sql["begin"];
type TransactionCallback = (tx: postgres.TransactionSql) => unknown;

// The parts of a postgres.js query that drizzle uses: awaiting it, and `.values()`.
function retriedQuery(run: () => Query): Query {
  let settled: Promise<unknown> | null = null;
  const rows = () => (settled ??= withReadRetry(run));
  const query = {
    then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      rows().then(onFulfilled, onRejected),
    catch: (onRejected?: (reason: unknown) => unknown) => rows().catch(onRejected),
    values: () => withReadRetry(() => run().values()),
  };
  return query as unknown as Query;
}

function refusedQuery(): Query {
  const error = Object.assign(new Error("write CONNECTION_CLOSED: the transaction's connection was lost"), {
    code: "CONNECTION_CLOSED",
  });
  const rejected = () => Promise.reject(error);
  return { then: (a: never, b: never) => rejected().then(a, b), values: rejected } as unknown as Query;
}

interface LostFlag {
  lost: boolean;
}

// A statement of a transaction whose failure on a lost connection marks the transaction lost.
function observedQuery(query: Query, flag: LostFlag): Query {
  const noteLost = (error: unknown) => {
    if (isConnectionLost(error)) flag.lost = true;
    throw error;
  };
  const observed = {
    then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      query.then(undefined, noteLost).then(onFulfilled, onRejected),
    catch: (onRejected?: (reason: unknown) => unknown) => query.then(undefined, noteLost).catch(onRejected),
    values: () => query.values().then(undefined, noteLost),
  };
  return observed as unknown as Query;
}

/*
 * A transaction's client that refuses every statement once its connection is known to be lost,
 * whoever catches the first failure: a statement sent then would be written to the dead socket.
 */
function guardedTransaction(tx: postgres.TransactionSql, flag: LostFlag): postgres.TransactionSql {
  const unsafe: Unsafe = (...args) => (flag.lost ? refusedQuery() : observedQuery(tx.unsafe(...args), flag));
  return new Proxy(tx, {
    get: (target, property, receiver) =>
      property === "unsafe" ? unsafe : (Reflect.get(target, property, receiver) as unknown),
  });
}

// Never settles: a transaction callback that returns it holds postgres.js back from the dead socket.
const PENDING_FOREVER = new Promise<never>(() => {});

function guardedBegin(sql: postgres.Sql): Begin {
  const begin = async (optionsOrCallback: string | TransactionCallback, maybeCallback?: TransactionCallback) => {
    const callback = (maybeCallback ?? optionsOrCallback) as TransactionCallback;
    const options = typeof optionsOrCallback === "string" ? optionsOrCallback : "";
    const attempt = async () => {
      const flag: LostFlag = { lost: false };
      let started = false;
      const run = async (tx: postgres.TransactionSql) => {
        started = true;
        try {
          return await callback(guardedTransaction(tx, flag));
        } catch (error) {
          if (!isConnectionLost(error) && !flag.lost) throw error;
          flag.lost = true;
          return PENDING_FOREVER;
        }
      };
      try {
        return await sql.begin(options, run);
      } catch (error) {
        flag.lost ||= isConnectionLost(error);
        throw Object.assign(error as object, { transactionStarted: started });
      }
    };
    try {
      return await attempt();
    } catch (error) {
      const { transactionStarted } = error as { transactionStarted?: boolean };
      if (transactionStarted || !isConnectionLost(error)) throw error;
      return await attempt();
    }
  };
  return begin as unknown as Begin;
}

/** `sql` with reads retried on a lost connection and transactions that cannot crash the process. */
export function resilientClient(sql: postgres.Sql): postgres.Sql {
  const unsafe: Unsafe = (text, ...rest) =>
    isReadOnlyStatement(text) ? retriedQuery(() => sql.unsafe(text, ...rest)) : sql.unsafe(text, ...rest);
  const begin = guardedBegin(sql);
  return new Proxy(sql, {
    get: (target, property, receiver) => {
      if (property === "unsafe") return unsafe;
      if (property === "begin") return begin;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
