import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

const folder = path.resolve("db/migrations");
const journal = JSON.parse(readFileSync(path.join(folder, "meta/_journal.json"), "utf8")) as {
  entries: JournalEntry[];
};

/*
 * drizzle's migrator applies a migration only when its `when` is later than the last applied
 * one's. drizzle-kit writes the clock of the machine that generated it, and this project's
 * journal uses round numbers ahead of that clock, so a newly generated entry can fall before
 * its predecessor: a database migrated to the predecessor would then skip it without a word.
 */
describe("migration journal", () => {
  it("lists the migrations in order, each later than the one before", () => {
    journal.entries.forEach((entry, i) => {
      const before = journal.entries[i - 1];
      if (!before) return;
      // Numbers may skip (0010 and 0011 never landed); they never go back.
      expect(entry.idx, entry.tag).toBeGreaterThan(before.idx);
      expect(entry.when, entry.tag).toBeGreaterThan(before.when);
    });
  });

  it("has one SQL file per entry and no file without an entry", () => {
    const files = readdirSync(folder)
      .filter((name) => name.endsWith(".sql"))
      .map((name) => name.replace(/\.sql$/, ""))
      .sort();
    expect(files).toEqual(journal.entries.map((e) => e.tag).sort());
  });
});
