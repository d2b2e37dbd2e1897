import { describe, expect, it } from "vitest";
import { isConnectionLost, isUniqueViolation } from "@/db/connection-errors";
import { isReadOnlyStatement } from "@/db/resilient-postgres";

describe("isConnectionLost", () => {
  it.each([
    ["57P01 (pg_terminate_backend)", { code: "57P01", severity: "FATAL" }],
    ["57P02 (crash shutdown)", { code: "57P02" }],
    ["57P03 (cannot connect now)", { code: "57P03" }],
    ["08006 (connection failure)", { code: "08006" }],
    ["CONNECTION_CLOSED", { code: "CONNECTION_CLOSED" }],
    ["CONNECTION_ENDED", { code: "CONNECTION_ENDED" }],
    ["CONNECT_TIMEOUT", { code: "CONNECT_TIMEOUT" }],
    ["ECONNRESET", { code: "ECONNRESET" }],
    ["ECONNREFUSED", { code: "ECONNREFUSED" }],
    ["wrapped by drizzle", Object.assign(new Error("Failed query"), { cause: { code: "CONNECTION_CLOSED" } })],
  ])("%s: the connection is gone", (_, error) => {
    expect(isConnectionLost(error)).toBe(true);
  });

  it.each([
    ["a syntax error", { code: "42601", severity: "ERROR" }],
    ["a unique violation", { code: "23505", severity: "ERROR" }],
    ["a statement timeout", { code: "57014", severity: "ERROR" }],
    ["a plain error", new Error("boom")],
    ["not an object", "CONNECTION_CLOSED"],
    ["nothing", null],
  ])("%s: not a lost connection", (_, error) => {
    expect(isConnectionLost(error)).toBe(false);
  });

  it("finds a unique violation through drizzle's wrapper", () => {
    expect(isUniqueViolation(Object.assign(new Error("Failed query"), { cause: { code: "23505" } }))).toBe(true);
    expect(isUniqueViolation({ code: "23503" })).toBe(false);
  });
});

describe("isReadOnlyStatement", () => {
  it.each([
    'select "id" from "audit_logs" where "org_id" = $1',
    "  SELECT count(*) from (select 1 from audit_logs limit $1) as capped",
    'with recent as (select * from "audit_logs") select * from recent',
    'select "updated_at", "deleted_by" from "organizations"',
    "show timezone",
  ])("reads only: %s", (text) => {
    expect(isReadOnlyStatement(text)).toBe(true);
  });

  it.each([
    'insert into "audit_logs" ("id") values ($1)',
    'update "api_keys" set "last_used_at" = $1',
    'delete from "export_tokens" where "expires_at" < $1',
    "with batch as (select 1), claimed as (insert into audit_idempotency select 1 returning key) select key from claimed",
    'select * from "export_tokens" for update',
    "select pg_advisory_lock(1)",
    "select nextval('s')",
    "begin",
  ])("may write, never run twice: %s", (text) => {
    expect(isReadOnlyStatement(text)).toBe(false);
  });
});
