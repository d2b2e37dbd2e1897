import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_KEYS, InvalidEnvironmentError, readEnv } from "@/lib/env";

function problemsOf(source: Record<string, string>): string {
  try {
    readEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(source)}`);
}

describe("the environment", () => {
  it("has defaults for everything", () => {
    const env = readEnv({});
    expect(env.INGEST_MAX_BODY_BYTES).toBe(8 * 1024 * 1024);
    expect(env.AUTH_THROTTLE_ACCOUNT_LIMIT).toBe(5);
    expect(env.AUTH_THROTTLE_IP_LIMIT).toBe(20);
    expect(env.TRUSTED_PROXY_HOPS).toBe(0);
    expect(env.PORT).toBe(3000);
    expect(env.RETENTION_SCHEDULE).toBeNull();
    expect(env.EXPORT_MAX_ROWS).toBe(5_000_000);
    expect(env.SEED_DEMO).toBe(true);
    expect(env.DB_MIGRATE_ON_START).toBe(false);
    expect(env.APP_URL).toBeUndefined();
  });

  it("reads good values into their types", () => {
    const env = readEnv({
      INGEST_MAX_BODY_BYTES: "16_777_216",
      EXPORT_MAX_ROWS: "2,000,000",
      TRUSTED_PROXY_HOPS: "2",
      RETENTION_SCHEDULE: "30m",
      SEED_DEMO: "false",
      APP_URL: "https://Audit.Example.com/",
      AUTH_THROTTLE_IP_LIMIT: "",
    });
    expect(env.INGEST_MAX_BODY_BYTES).toBe(16_777_216);
    expect(env.EXPORT_MAX_ROWS).toBe(2_000_000);
    expect(env.TRUSTED_PROXY_HOPS).toBe(2);
    expect(env.RETENTION_SCHEDULE).toBe(1_800_000);
    expect(env.SEED_DEMO).toBe(false);
    expect(env.APP_URL).toBe("https://audit.example.com");
    // Empty is unset, not zero.
    expect(env.AUTH_THROTTLE_IP_LIMIT).toBe(20);
  });

  it.each([
    ["INGEST_MAX_BODY_BYTES", "8MiB", "a whole number of bytes from 1,024 to 1,073,741,824"],
    ["INGEST_MAX_BODY_BYTES", "0", "a whole number of bytes"],
    ["AUTH_THROTTLE_ACCOUNT_LIMIT", "five", "a whole number from 1 to 1,000,000"],
    ["AUTH_THROTTLE_IP_LIMIT", "NaN", "a whole number from 1 to 1,000,000"],
    ["AUTH_THROTTLE_IP_LIMIT", "2.5", "a whole number"],
    ["TRUSTED_PROXY_HOPS", "-1", "a whole number from 0 to 20"],
    ["TRUSTED_PROXY_HOPS", "yes", "a whole number from 0 to 20"],
    ["PORT", "70000", "a whole number from 1 to 65,535"],
    ["DATABASE_POOL_MAX", "1e3", "a whole number"],
    ["EXPORT_MAX_CONCURRENT", "0", "a whole number from 1 to 100"],
    ["EXPORT_MAX_ROWS", "lots", "a whole number"],
    ["SEED_DEMO", "no", "true or false"],
    ["DB_MIGRATE_ON_START", "1", "true or false"],
    ["RETENTION_SCHEDULE", "sometimes", "off, hourly, daily or an interval"],
    ["RETENTION_MIN_DAYS_SECURITY", "a year", "a whole number of days from 1 to 3,650"],
    ["APP_URL", "audit.example.com", "an http(s) origin"],
    ["APP_URL", "https://audit.example.com/console", "an http(s) origin"],
    ["AUTH_OIDC_ISSUER", "login.example.com", "issuer URL"],
  ])("%s=%j stops the start, naming the variable and what it accepts", (name, value, accepts) => {
    const message = problemsOf({ [name]: value });
    expect(message).toContain(`${name}=${JSON.stringify(value)} is not valid: expected`);
    expect(message).toContain(accepts);
  });

  it("names every bad variable at once, and never prints a secret", () => {
    const message = problemsOf({
      PORT: "http",
      AUTH_SECRET: "hunter2",
      DATABASE_URL: "mysql://root:hunter3@db/audit",
    });
    expect(message).toContain("PORT=");
    expect(message).toContain("AUTH_SECRET (set) is not valid: expected a random string of at least 32 characters");
    expect(message).toContain("DATABASE_URL (set) is not valid: expected a PostgreSQL connection string");
    expect(message).not.toMatch(/hunter/);
  });

  it("reads a read replica only beside a server database", () => {
    expect(readEnv({}).DATABASE_READ_MAX_LAG_MS).toBe(5000);
    const env = readEnv({
      DATABASE_URL: "postgres://console@primary:5432/audit",
      DATABASE_READ_URL: "postgres://console@replica:5432/audit",
      DATABASE_READ_MAX_LAG_MS: "2_000",
    });
    expect(env.DATABASE_READ_URL).toBe("postgres://console@replica:5432/audit");
    expect(env.DATABASE_READ_MAX_LAG_MS).toBe(2000);
    expect(problemsOf({ DATABASE_READ_URL: "postgres://console:hunter4@replica/audit" })).toContain(
      "DATABASE_READ_URL (set) needs DATABASE_URL",
    );
    expect(problemsOf({ DATABASE_READ_URL: "mysql://root:hunter4@replica/audit" })).not.toMatch(/hunter/);
    expect(problemsOf({ DATABASE_READ_MAX_LAG_MS: "5s" })).toContain("a whole number of milliseconds");
  });

  it("wants the single sign-on settings together or not at all", () => {
    expect(problemsOf({ AUTH_OIDC_ID: "console" })).toContain("set all three");
  });

  it("is the README's table, variable for variable", () => {
    const readme = readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Environment"));
    const table = section.slice(section.indexOf("\n|"), section.indexOf("\n\n", section.indexOf("\n|")));
    const documented = table
      .split("\n")
      .slice(3)
      .flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(documented.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...ENV_KEYS].sort());
  });
});
