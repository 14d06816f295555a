/**
 * The store's schema, as Kysely migrations (run by Kysely's Migrator on start, on SQLite and
 * PostgreSQL alike: it records what ran in `kysely_migration` and, on PostgreSQL, holds an advisory lock
 * so two instances starting together migrate once). Add a migration; never edit one that shipped.
 * Times are ISO 8601 UTC text: they sort as text on both databases.
 */
import type { Kysely, Migration } from "kysely";

export const MIGRATIONS: Record<string, Migration> = {
  "2026-12-02-001-feedback-and-reviews": {
    async up(db: Kysely<unknown>) {
      // One row per person, finding and verdict: a 👎 added twice, or a reply and a 👎, count once.
      await db.schema
        .createTable("feedback")
        .addColumn("platform", "varchar(16)", (c) => c.notNull())
        .addColumn("repo", "varchar(255)", (c) => c.notNull())
        .addColumn("change", "varchar(64)", (c) => c.notNull())
        .addColumn("fingerprint", "varchar(32)", (c) => c.notNull())
        .addColumn("who", "varchar(255)", (c) => c.notNull())
        .addColumn("verdict", "varchar(16)", (c) => c.notNull())
        .addColumn("rule", "varchar(16)", (c) => c.notNull())
        .addColumn("gesture", "varchar(32)", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("at", "varchar(32)", (c) => c.notNull())
        .addPrimaryKeyConstraint("feedback_once", ["platform", "repo", "change", "fingerprint", "who", "verdict"])
        .execute();
      await db.schema.createIndex("feedback_at").on("feedback").columns(["at"]).execute();

      await db.schema
        .createTable("reviews")
        .addColumn("platform", "varchar(16)", (c) => c.notNull())
        .addColumn("repo", "varchar(255)", (c) => c.notNull())
        .addColumn("change", "varchar(64)", (c) => c.notNull())
        .addColumn("revision", "varchar(64)", (c) => c.notNull())
        .addColumn("url", "text")
        .addColumn("installation", "bigint")
        .addColumn("findings", "integer", (c) => c.notNull())
        // [[rule, fingerprint], ...]: what the review found, so a later resolve can ask "does it still stand?"
        .addColumn("fingerprints", "text", (c) => c.notNull())
        .addColumn("posted", "integer", (c) => c.notNull())
        .addColumn("resolved", "integer", (c) => c.notNull())
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addColumn("at", "varchar(32)", (c) => c.notNull())
        .addPrimaryKeyConstraint("reviews_pk", ["platform", "repo", "change", "revision", "at"])
        .execute();
      await db.schema.createIndex("reviews_at").on("reviews").columns(["at"]).execute();
      await db.schema.createIndex("reviews_change").on("reviews").columns(["platform", "repo", "change", "at"]).execute();

      // Each distinct finding once per change, with when it was last reported: the denominator of the ratio.
      await db.schema
        .createTable("findings")
        .addColumn("platform", "varchar(16)", (c) => c.notNull())
        .addColumn("repo", "varchar(255)", (c) => c.notNull())
        .addColumn("change", "varchar(64)", (c) => c.notNull())
        .addColumn("fingerprint", "varchar(32)", (c) => c.notNull())
        .addColumn("rule", "varchar(16)", (c) => c.notNull())
        .addColumn("first_seen", "varchar(32)", (c) => c.notNull())
        .addColumn("last_seen", "varchar(32)", (c) => c.notNull())
        .addPrimaryKeyConstraint("findings_pk", ["platform", "repo", "change", "fingerprint"])
        .execute();
      await db.schema.createIndex("findings_last_seen").on("findings").columns(["last_seen"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("findings").execute();
      await db.schema.dropTable("reviews").execute();
      await db.schema.dropTable("feedback").execute();
    },
  },
};
