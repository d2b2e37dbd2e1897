import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import { MAX_RETENTION_DAYS } from "./retention/limits";
import { parseRetentionSchedule, RETENTION_SCHEDULE_ACCEPTS } from "./retention/schedule-interval";

/*
 * Every environment variable the console reads, validated once: a value that cannot be read
 * stops the start with a message naming the variable and what it accepts, instead of turning into
 * NaN and silently switching a limit off. The README's environment table lists exactly these keys
 * (tests/unit/env.test.ts compares them).
 *
 * No `import "server-only"` here: next.config.ts and server.ts import this module outside the
 * React server graph, where that package throws. Secrets still cannot reach a browser bundle:
 * every key is a server variable, and createEnv refuses to read one in the browser.
 */

const count = (n: number) => n.toLocaleString("en-US");

/** A whole number within [min, max]; `_` or `,` may group thousands (5_000_000, 5,000,000). */
function wholeNumber(min: number, max: number, unit = "") {
  const accepts = `a whole number${unit} from ${count(min)} to ${count(max)}`;
  return z
    .string({ error: accepts })
    .trim()
    .regex(/^\d+(?:[_,]\d{3})*$/, accepts)
    .transform((s) => Number(s.replace(/[_,]/g, "")))
    .pipe(z.number().int().min(min, accepts).max(max, accepts));
}

function flag() {
  const accepts = "true or false";
  return z
    .string({ error: accepts })
    .trim()
    .toLowerCase()
    .refine((s) => s === "true" || s === "false", accepts)
    .transform((s) => s === "true");
}

function httpUrl(accepts: string) {
  return z.url({ protocol: /^https?$/, error: accepts });
}

// Refinements run even after the URL check failed, so they must not throw.
function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An http(s) origin: scheme, host and port, nothing after them but an optional "/". */
function origin() {
  const accepts = "an http(s) origin such as https://audit.example.com (no path, query or credentials)";
  return httpUrl(accepts)
    .refine((value) => {
      const url = parseUrl(value);
      return url !== null && !url.username && !url.password && url.pathname === "/" && !url.search && !url.hash;
    }, accepts)
    .transform((value) => parseUrl(value)?.origin ?? value);
}

const server = {
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: "a PostgreSQL connection string such as postgres://user:password@host:5432/audit",
    })
    .optional(),
  // A streaming replica of DATABASE_URL that the readers use (db/read-replica.ts); needs DATABASE_URL.
  DATABASE_READ_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error:
        "a PostgreSQL connection string of a streaming replica, such as postgres://user:password@replica:5432/audit",
    })
    .optional(),
  // Behind the primary by more than this, the replica is left for the primary until it catches up.
  DATABASE_READ_MAX_LAG_MS: wholeNumber(100, 3_600_000, " of milliseconds").default(5000),
  DATABASE_POOL_MAX: wholeNumber(1, 1000).default(10),
  PGLITE_DATA_DIR: z.string({ error: "a folder path" }).min(1, "a folder path").default(".data/pglite"),
  AUTH_SECRET: z
    .string({ error: "a random string of at least 32 characters (openssl rand -base64 32)" })
    .min(32, "a random string of at least 32 characters (openssl rand -base64 32)")
    .optional(),
  AUTH_OIDC_ISSUER: httpUrl("the provider's issuer URL, such as https://login.example.com").optional(),
  AUTH_OIDC_ID: z.string().min(1).optional(),
  AUTH_OIDC_SECRET: z.string().min(1).optional(),
  AUTH_OIDC_NAME: z.string().max(60, "a button label of at most 60 characters").optional(),
  APP_URL: origin().optional(),
  PORT: wholeNumber(1, 65535).default(3000),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, "an address or host name to listen on, such as 127.0.0.1 or ::")
    .optional(),
  NEXT_DIST_DIR: z.string().min(1, "a folder path").default(".next"),
  DB_MIGRATE_ON_START: flag().default(false),
  SEED_DEMO: flag().default(true),
  TRUSTED_PROXY_HOPS: wholeNumber(0, 20).default(0),
  AUTH_THROTTLE_ACCOUNT_LIMIT: wholeNumber(1, 1_000_000).default(5),
  AUTH_THROTTLE_IP_LIMIT: wholeNumber(1, 1_000_000).default(20),
  INGEST_MAX_BODY_BYTES: wholeNumber(1024, 1024 ** 3, " of bytes").default(8 * 1024 * 1024),
  RETENTION_SCHEDULE: z
    .string()
    .refine((value) => {
      try {
        parseRetentionSchedule(value);
        return true;
      } catch {
        return false;
      }
    }, RETENTION_SCHEDULE_ACCEPTS)
    .transform((value) => parseRetentionSchedule(value))
    .optional()
    .transform((value) => value ?? null),
  RETENTION_MIN_DAYS_SECURITY: wholeNumber(1, MAX_RETENTION_DAYS, " of days").optional(),
  RETENTION_MIN_DAYS_OPERATIONAL: wholeNumber(1, MAX_RETENTION_DAYS, " of days").optional(),
  EXPORT_MAX_ROWS: wholeNumber(1, 1_000_000_000).default(5_000_000),
  EXPORT_MAX_CONCURRENT: wholeNumber(1, 100).default(4),
  READ_API_RATE_LIMIT: wholeNumber(1, 1_000_000).default(600),
  READ_API_BURST: wholeNumber(1, 100_000).default(60),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "an SMTP server URL such as smtp://user:password@mail.example.com:587" })
    .optional(),
  SMTP_FROM: z
    .string()
    .min(3, "a sender address such as Audit Console <audit@example.com>")
    .default("Audit Console <audit@localhost>"),
  // Unset: allowed on the embedded database (a local demo, whose receivers are local too), refused
  // with DATABASE_URL (a deployment); see webhooksMayReachPrivate().
  WEBHOOK_ALLOW_PRIVATE: flag().optional(),
  WORKER_IN_PROCESS: flag().default(true),
  // Integrity (lib/integrity/signing-key.ts): the Ed25519 key that signs sealed blocks.
  INTEGRITY_SIGNING_KEY: z
    .string()
    .trim()
    .refine(
      (s) => /^[A-Za-z0-9+/_-]{43}=?$/.test(s) || /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(s),
      "an Ed25519 private key: its 32-byte seed in base64 (openssl genpkey -algorithm ed25519 -outform DER | tail -c 32 | base64) or a PKCS#8 PEM",
    )
    .optional(),
  // How often a partial block is sealed: an entry is sealed within about this long (docs/integrity.md).
  INTEGRITY_SEAL_INTERVAL_SECONDS: wholeNumber(1, 3600).default(30),
  // How often an open explorer asks whether newer entries match its search (the "N new entries" bar).
  EXPLORER_POLL_SECONDS: wholeNumber(1, 3600).default(15),
};

export type EnvKey = keyof typeof server;
export const ENV_KEYS = Object.keys(server) as EnvKey[];

// Shown as "(set)" in a message: a secret or a password inside a connection string.
const SECRET_KEYS: ReadonlySet<string> = new Set<EnvKey>([
  "AUTH_SECRET",
  "AUTH_OIDC_SECRET",
  "DATABASE_URL",
  "DATABASE_READ_URL",
  "SMTP_URL",
  "INTEGRITY_SIGNING_KEY",
]);

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join("; ")}`);
    this.name = "InvalidEnvironmentError";
  }
}

type Source = Readonly<Record<string, string | undefined>>;
type PathSegment = PropertyKey | { key: PropertyKey };

function issueKey(path: readonly PathSegment[] | undefined): string {
  const first = path?.[0];
  return String(typeof first === "object" ? first.key : first);
}

function describe(key: string, source: Source): string {
  const value = source[key];
  if (value === undefined) return key;
  return SECRET_KEYS.has(key) ? `${key} (set)` : `${key}=${JSON.stringify(value)}`;
}

function oidcProblems(values: { AUTH_OIDC_ISSUER?: string; AUTH_OIDC_ID?: string; AUTH_OIDC_SECRET?: string }) {
  const set = [values.AUTH_OIDC_ISSUER, values.AUTH_OIDC_ID, values.AUTH_OIDC_SECRET].filter(Boolean).length;
  return set === 0 || set === 3
    ? []
    : ["AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET: set all three for single sign-on, or none"];
}

/** The validated settings from `source`; throws InvalidEnvironmentError naming every bad variable. */
export function readEnv(source: Source = process.env) {
  // Only the listed keys: createEnv deletes empty strings from the object it is given.
  const runtimeEnv: Record<string, string | undefined> = Object.fromEntries(ENV_KEYS.map((key) => [key, source[key]]));
  const values = createEnv({
    server,
    runtimeEnv,
    emptyStringAsUndefined: true,
    onValidationError: (issues) => {
      throw new InvalidEnvironmentError(
        issues.map((issue) => `${describe(issueKey(issue.path), source)} is not valid: expected ${issue.message}`),
      );
    },
  });
  const problems = [
    ...oidcProblems(values),
    ...(values.DATABASE_READ_URL && !values.DATABASE_URL
      ? ["DATABASE_READ_URL (set) needs DATABASE_URL: a read replica is a replica of a server database"]
      : []),
  ];
  if (problems.length) throw new InvalidEnvironmentError(problems);
  return values;
}

export type Env = ReturnType<typeof readEnv>;

export const env: Env = readEnv();
