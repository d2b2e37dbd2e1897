import "server-only";

import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { searchPeople } from "@/lib/audit-log/people-search";
import type { ExplorerDatabase } from "./db-limits";
import type { HttpClient } from "./http-client";
import { GOALS } from "./goals";
import { lookupRow, timeLookup, type LookupTiming } from "./lookup";
import { ms, type TableRow } from "./report";

/*
 * The user filter's search (issue 19, point 4) on the largest organization: what the picker asks
 * while someone types, the server action over HTTP (origin, session and audit.view checked, then
 * members and the actor directory), beside the same search in this process (the database's
 * part), and the naive way without a directory: the distinct actors of the organization's whole
 * log whose name, email or id starts with the text.
 */

const PICKER_RESULTS = 8;

/**
 * What a person types, one keystroke after another (the picker searches after each pause): the
 * open list, a name, an email and an actor id. The data set's people are first.last@domain and
 * their ids u_<number> (db/seed/audit-rows.ts).
 */
export const ACTOR_SEARCH_TEXTS = ["", "m", "ma", "mar", "marin", "sofia.m", "u_1", "u_10"];

export interface ActorSearchResult extends LookupTiming {
  texts: string[];
  /** Matches the search answered for each text (up to the picker's 8). */
  matches: Record<string, number>;
  directoryRows: number;
}

function naiveStatement(orgId: string, text: string) {
  const prefix = `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`select distinct on (k) k, actor_id, actor_name from (
      select coalesce(lower(actor_email), actor_id) as k, actor_id, actor_name, occurred_at
      from audit_logs
      where org_id = ${orgId} and (actor_email is not null or actor_id is not null)
        and (lower(actor_name) like ${prefix} or lower(actor_email) like ${prefix} or lower(actor_id) like ${prefix})
    ) a order by k, occurred_at desc limit ${PICKER_RESULTS}`;
}

export async function measureActorSearch({
  explorer,
  client,
  distDir,
  slug,
  orgId,
  plan,
  log,
}: {
  explorer: ExplorerDatabase;
  client: HttpClient;
  distDir: string;
  slug: string;
  orgId: string;
  plan: { warmup: number; runs: number; dbRuns: number; naiveRuns: number };
  log: (line: string) => void;
}): Promise<ActorSearchResult> {
  const texts = ACTOR_SEARCH_TEXTS;
  const [size] = await queryRows<{ n: string }>(
    explorer.db,
    sql`select count(*) as n from audit_log_actors where org_id = ${orgId}`,
  );
  const directoryRows = Number(size?.n ?? 0);
  const matches: Record<string, number> = {};
  for (const text of texts) matches[text] = (await searchPeople(orgId, text, PICKER_RESULTS)).length;

  const { http, db, naive } = await timeLookup({
    client,
    distDir,
    slug,
    action: "searchUsers",
    texts,
    args: (text) => text,
    inProcess: (text) => searchPeople(orgId, text, PICKER_RESULTS),
    naiveTexts: ["mar", "u_10"],
    naive: (text) => queryRows(explorer.db, naiveStatement(orgId, text)),
    plan,
    log,
  });
  log(
    `  actor search (${directoryRows.toLocaleString("en-US")} actors in the directory): ` +
      (http ? `full ${ms(http.full.median)} / p95 ${ms(http.full.p95)}, ` : "") +
      `DB ${ms(db.median)} / p95 ${ms(db.p95)}, naive ${ms(naive.median)} per keystroke`,
  );
  return { texts, matches, directoryRows, http, db, naive };
}

export function actorSearchRow(r: ActorSearchResult): TableRow {
  return lookupRow(
    `actor search (user filter), ${r.texts.length} texts typed in turn, ${r.directoryRows.toLocaleString("en-US")} actors`,
    GOALS.actorSearch.p95,
    r,
  );
}
