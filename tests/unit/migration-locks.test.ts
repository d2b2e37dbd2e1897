import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Migrations that do not stop writers (issue 22, docs/scaling.md section 5). From migration 0020
 * on, a SQL migration may not do to the audit log what holds its writers for as long as the table
 * is large: build an index (those go to db/online-indexes.ts, built concurrently per partition),
 * rewrite the table (a column type change, a volatile default, a stored generated or identity
 * column), or scan it under a lock (SET NOT NULL, a CHECK or FOREIGN KEY constraint not added NOT
 * VALID). Adding a nullable column, or one with a constant default, is metadata only and allowed.
 * A statement checked by hand to be harmless says so in a comment containing `online-ok:` and why.
 */

const FIRST_CHECKED = 20;
const AUDIT_TABLE = /"?audit_logs(_archive)?(_p\d{6}|_default)?(?!\w)"?/;

const RULES: { pattern: RegExp; why: string }[] = [
  {
    pattern: new RegExp(`^create\\s+(unique\\s+)?index\\b[\\s\\S]*\\bon\\s+(only\\s+)?${AUDIT_TABLE.source}`, "i"),
    why: "builds an index under a lock writers wait for: list it in db/online-indexes.ts instead",
  },
  {
    pattern: new RegExp(
      `^alter\\s+table\\s+(only\\s+)?${AUDIT_TABLE.source}[\\s\\S]*\\balter\\s+column\\s+\\S+\\s+(set\\s+data\\s+)?type\\b`,
      "i",
    ),
    why: "changes a column's type, which rewrites the table",
  },
  {
    pattern: new RegExp(`^alter\\s+table\\s+(only\\s+)?${AUDIT_TABLE.source}[\\s\\S]*\\bset\\s+not\\s+null\\b`, "i"),
    why: "scans the table under an exclusive lock: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL marked online-ok",
  },
  {
    pattern: new RegExp(
      `^alter\\s+table\\s+(only\\s+)?${AUDIT_TABLE.source}[\\s\\S]*\\badd\\s+column\\b[\\s\\S]*(\\b(gen_random_uuid|random|clock_timestamp|timeofday|nextval)\\s*\\(|\\b(big|small)?serial\\b|\\bgenerated\\b)`,
      "i",
    ),
    why: "adds a column whose value differs per row (a volatile default, serial, generated), which rewrites the table",
  },
  {
    pattern: new RegExp(
      `^alter\\s+table\\s+(only\\s+)?${AUDIT_TABLE.source}[\\s\\S]*\\badd\\s+column\\b(?![\\s\\S]*\\bdefault\\b)[\\s\\S]*\\bnot\\s+null\\b`,
      "i",
    ),
    why: "adds a NOT NULL column without a default, which fails on a table with rows",
  },
  {
    pattern: new RegExp(
      `^alter\\s+table\\s+(only\\s+)?${AUDIT_TABLE.source}[\\s\\S]*\\badd\\s+constraint\\b[\\s\\S]*\\b(check|foreign\\s+key)\\b(?![\\s\\S]*\\bnot\\s+valid\\b)`,
      "i",
    ),
    why: "checks every row under a lock: add the constraint NOT VALID, then VALIDATE CONSTRAINT in a statement of its own",
  },
];

/** The statements of a migration that hold the audit log's writers, each with the reason. */
function blockingStatements(text: string): string[] {
  const found: string[] = [];
  for (const chunk of text.split(/--> statement-breakpoint|;\s*$/m)) {
    if (/online-ok:/i.test(chunk)) continue;
    const statement = chunk
      .replace(/--.*$/gm, "")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .trim()
      .replace(/;$/, "");
    if (!statement) continue;
    const broken = RULES.find((rule) => rule.pattern.test(statement));
    if (broken) found.push(`${statement.replace(/\s+/g, " ").slice(0, 120)}: ${broken.why}`);
  }
  return found;
}

const folder = path.resolve("db/migrations");
const journal = JSON.parse(readFileSync(path.join(folder, "meta/_journal.json"), "utf8")) as {
  entries: { idx: number; tag: string }[];
};

describe("migrations after 0019", () => {
  it("do nothing to the audit log that holds its writers", () => {
    for (const entry of journal.entries.filter((e) => e.idx >= FIRST_CHECKED)) {
      const text = readFileSync(path.join(folder, `${entry.tag}.sql`), "utf8");
      expect(blockingStatements(text), entry.tag).toEqual([]);
    }
  });

  it("recognise what would hold them and let the rest through", () => {
    const blocked = [
      'CREATE INDEX "audit_logs_org_x_idx" ON "audit_logs" USING btree ("org_id","x");',
      "CREATE UNIQUE INDEX x ON ONLY audit_logs_archive (org_id, id, occurred_at);",
      'ALTER TABLE "audit_logs" ALTER COLUMN "action" SET DATA TYPE varchar(200);',
      'ALTER TABLE "audit_logs" ALTER COLUMN "action" SET NOT NULL;',
      'ALTER TABLE "audit_logs" ADD COLUMN "token" uuid DEFAULT gen_random_uuid() NOT NULL;',
      'ALTER TABLE "audit_logs" ADD COLUMN "n" bigserial;',
      "ALTER TABLE audit_logs_p202612 ALTER COLUMN action TYPE varchar(200);",
      'ALTER TABLE "audit_logs" ADD COLUMN "flag" boolean NOT NULL;',
      'ALTER TABLE "audit_logs" ADD CONSTRAINT "c" CHECK (char_length(action) < 200);',
    ];
    for (const statement of blocked) expect(blockingStatements(statement), statement).toHaveLength(1);
    const allowed = [
      'ALTER TABLE "audit_logs" ADD COLUMN "tenant_tag" text;',
      'ALTER TABLE "audit_logs" ADD COLUMN "flag" boolean DEFAULT false NOT NULL;',
      'ALTER TABLE "audit_logs" ADD COLUMN "seen_at" timestamp (3) with time zone DEFAULT now();',
      'ALTER TABLE "audit_logs" ADD CONSTRAINT "c" CHECK (char_length(action) < 200) NOT VALID;',
      'ALTER TABLE "audit_logs" VALIDATE CONSTRAINT "c";',
      '-- online-ok: a valid CHECK (action IS NOT NULL) exists, so no scan\nALTER TABLE "audit_logs" ALTER COLUMN "action" SET NOT NULL;',
      'CREATE INDEX "api_keys_x_idx" ON "api_keys" USING btree ("org_id");',
      'ALTER TABLE "user_preferences" ADD COLUMN "x" text NOT NULL;',
      'ALTER TABLE "audit_log_hourly" ADD COLUMN "x" bigserial;',
      'ALTER TABLE "audit_logs" ADD COLUMN "type" text;',
    ];
    for (const statement of allowed) expect(blockingStatements(statement), statement).toEqual([]);
    // drizzle-kit's separators between statements.
    expect(blockingStatements(`${allowed[0]}--> statement-breakpoint\n${blocked[0]}`)).toHaveLength(1);
  });
});
