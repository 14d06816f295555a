/**
 * Reviews published and people's feedback on findings, in a real database: SQLite (better-sqlite3) in a
 * file beside the service by default, PostgreSQL (node-postgres) when DATABASE_URL is set, so several
 * instances share one. Created and migrated on open (migrations.ts). Queries are Kysely's, so one
 * text serves both dialects. The drivers load on open: the CLI's other commands (and the single-file
 * bundle, where they are external) never load them.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Kysely } from "kysely";
import type { FeedbackReport, Platform, PublishedReview, Verdict } from "../../platforms/adapter.js";
import { MIGRATIONS } from "./migrations.js";

interface FeedbackTable {
  platform: string;
  repo: string;
  change: string;
  fingerprint: string;
  who: string;
  verdict: Verdict;
  rule: string;
  gesture: string;
  reason: string | null;
  at: string;
}

interface ReviewTable {
  platform: string;
  repo: string;
  change: string;
  revision: string;
  url: string | null;
  installation: number | string | null;
  findings: number;
  fingerprints: string;
  posted: number;
  resolved: number;
  duration_ms: number;
  at: string;
}

interface FindingTable {
  platform: string;
  repo: string;
  change: string;
  fingerprint: string;
  rule: string;
  first_seen: string;
  last_seen: string;
}

interface Tables {
  feedback: FeedbackTable;
  reviews: ReviewTable;
  findings: FindingTable;
}

export interface StoreOptions {
  /** postgres:// or postgresql://: PostgreSQL; else SQLite at `sqlitePath`. */
  databaseUrl?: string;
  sqlitePath?: string;
  now?: () => Date;
}

export interface StoredReview {
  platform: Platform;
  repository: string;
  change: string;
  revision: string;
  url?: string;
  findings: number;
  posted: number;
  resolved: number;
  durationMs: number;
  at: string;
}

export interface RuleStats {
  rule: string;
  /** Distinct findings (per change) reported in the window. */
  findings: number;
  /** Reports (one per person and finding). */
  useful: number;
  notUseful: number;
  /** Distinct findings someone called not useful. */
  notUsefulFindings: number;
  /** notUsefulFindings / findings (0 when there were none). */
  ratio: number;
  /** The latest reasons given with "not useful", newest first. */
  reasons: { who: string; reason: string; at: string }[];
}

export const DEFAULT_SQLITE_PATH = "eventlet-review.sqlite";

export class Store {
  readonly kind: "sqlite" | "postgres";
  private readonly now: () => Date;

  private constructor(
    readonly db: Kysely<Tables>,
    kind: "sqlite" | "postgres",
    now?: () => Date,
  ) {
    this.kind = kind;
    this.now = now ?? (() => new Date());
  }

  /** Opens (creating the SQLite file and its folder if needed) and migrates to the latest schema. */
  static async open(options: StoreOptions = {}): Promise<Store> {
    const { Kysely, PostgresDialect, SqliteDialect } = await import("kysely");
    let db: Kysely<Tables>;
    let kind: "sqlite" | "postgres";
    if (options.databaseUrl) {
      const { default: pg } = await import("pg");
      if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL");
      kind = "postgres";
      db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 5 }) }) });
    } else {
      kind = "sqlite";
      const path = resolve(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      const SQLite = await loadSqlite();
      const database = new SQLite(path);
      // WAL: the status page and the CLI read while the service writes.
      database.pragma("journal_mode = WAL");
      database.pragma("busy_timeout = 5000");
      db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
    }
    const store = new Store(db, kind, options.now);
    try {
      await store.migrate();
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /**
   * Runs the migrations not yet run; returns their names. PostgreSQL serializes concurrent migrators
   * (an advisory lock); two processes opening one new SQLite file can collide (one sees the other's
   * tables appear mid-migration), so a failed attempt is tried again after the other has finished.
   */
  async migrate(attempts = 4): Promise<string[]> {
    const { Migrator } = await import("kysely");
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => MIGRATIONS } });
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await migrator.migrateToLatest();
      if (!error) return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
      if (attempt >= attempts || this.kind !== "sqlite") throw new Error(`store migration failed: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 100));
    }
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  async recordReview(review: PublishedReview, at: Date = this.now()): Promise<void> {
    const when = at.toISOString();
    const key = { platform: review.platform, repo: review.repository, change: review.change };
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("reviews")
        .values({
          ...key,
          revision: review.revision,
          url: review.url ?? null,
          installation: review.installation ?? null,
          findings: review.findings.length,
          fingerprints: JSON.stringify(review.findings.map((f) => [f.rule, f.fingerprint])),
          posted: review.posted,
          resolved: review.resolved,
          duration_ms: Math.round(review.durationMs),
          at: when,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const distinct = new Map(review.findings.map((f) => [f.fingerprint, f.rule]));
      for (const [fingerprint, rule] of distinct) {
        await tx
          .insertInto("findings")
          .values({ ...key, fingerprint, rule, first_seen: when, last_seen: when })
          .onConflict((oc) => oc.columns(["platform", "repo", "change", "fingerprint"]).doUpdateSet({ last_seen: when, rule }))
          .execute();
      }
    });
  }

  /** True when the report is new: one row per person, finding and verdict. */
  async recordFeedback(report: FeedbackReport): Promise<boolean> {
    const result = await this.db
      .insertInto("feedback")
      .values({
        platform: report.platform,
        repo: report.repository,
        change: report.change,
        fingerprint: report.fingerprint,
        who: report.who,
        verdict: report.verdict,
        rule: report.rule,
        gesture: report.gesture,
        reason: report.reason?.trim() ? report.reason.trim().slice(0, 1000) : null,
        at: (report.at ?? this.now()).toISOString(),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Whether the change's latest review still had the finding (true when no review of it is known). */
  async findingStands(platform: Platform, repository: string, change: string, fingerprint: string): Promise<boolean> {
    const latest = await this.db
      .selectFrom("reviews")
      .select("fingerprints")
      .where("platform", "=", platform)
      .where("repo", "=", repository)
      .where("change", "=", change)
      .orderBy("at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!latest) return true;
    return (JSON.parse(latest.fingerprints) as [string, string][]).some(([, f]) => f === fingerprint);
  }

  /** The rule of a finding the store saw reported. */
  async ruleOf(platform: Platform, repository: string, change: string, fingerprint: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("findings")
      .select("rule")
      .where("platform", "=", platform)
      .where("repo", "=", repository)
      .where("change", "=", change)
      .where("fingerprint", "=", fingerprint)
      .executeTakeFirst();
    return row?.rule;
  }

  async recentReviews(limit = 50): Promise<StoredReview[]> {
    const rows = await this.db.selectFrom("reviews").selectAll().orderBy("at", "desc").limit(limit).execute();
    return rows.map((r) => ({
      platform: r.platform as Platform,
      repository: r.repo,
      change: r.change,
      revision: r.revision,
      ...(r.url ? { url: r.url } : {}),
      findings: Number(r.findings),
      posted: Number(r.posted),
      resolved: Number(r.resolved),
      durationMs: Number(r.duration_ms),
      at: r.at,
    }));
  }

  /** Changes of a platform reviewed since `days` ago, newest first, with the installation last seen. */
  async recentChanges(platform: Platform, days: number): Promise<{ repository: string; change: string; installation?: number }[]> {
    const since = new Date(this.now().getTime() - days * 86_400_000).toISOString();
    const rows = await this.db
      .selectFrom("reviews")
      .select(["repo", "change", "installation", "at"])
      .where("platform", "=", platform)
      .where("at", ">=", since)
      .orderBy("at", "desc")
      .execute();
    const seen = new Map<string, { repository: string; change: string; installation?: number }>();
    for (const r of rows) {
      const key = `${r.repo}#${r.change}`;
      if (!seen.has(key)) seen.set(key, { repository: r.repo, change: r.change, ...(r.installation !== null ? { installation: Number(r.installation) } : {}) });
    }
    return [...seen.values()];
  }

  /**
   * Per rule over the last `days`: distinct findings reported, feedback reports, and the share of
   * findings someone called not useful. Every rule with a finding or a report is listed.
   */
  async ruleStats(days = 30, reasonsKept = 3): Promise<RuleStats[]> {
    const since = new Date(this.now().getTime() - days * 86_400_000).toISOString();
    const found = await this.db
      .selectFrom("findings")
      .select(["rule", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("last_seen", ">=", since)
      .groupBy("rule")
      .execute();
    const reports = await this.db
      .selectFrom("feedback")
      .select(["platform", "repo", "change", "fingerprint", "rule", "verdict", "who", "reason", "at"])
      .where("at", ">=", since)
      .orderBy("at", "desc")
      .execute();
    const stats = new Map<string, RuleStats & { dismissed: Set<string> }>();
    const entry = (rule: string) => {
      let s = stats.get(rule);
      if (!s) stats.set(rule, (s = { rule, findings: 0, useful: 0, notUseful: 0, notUsefulFindings: 0, ratio: 0, reasons: [], dismissed: new Set() }));
      return s;
    };
    for (const row of found) entry(row.rule).findings = Number(row.n);
    for (const r of reports) {
      const s = entry(r.rule);
      if (r.verdict === "useful") {
        s.useful++;
        continue;
      }
      s.notUseful++;
      s.dismissed.add(`${r.platform}\0${r.repo}\0${r.change}\0${r.fingerprint}`);
      if (r.reason && s.reasons.length < reasonsKept) s.reasons.push({ who: r.who, reason: r.reason, at: r.at });
    }
    return [...stats.values()]
      .map(({ dismissed, ...s }) => {
        const notUsefulFindings = dismissed.size;
        // A finding reported before the window and dismissed inside it still counts in the denominator.
        const findings = Math.max(s.findings, notUsefulFindings);
        return { ...s, findings, notUsefulFindings, ratio: findings === 0 ? 0 : notUsefulFindings / findings };
      })
      .sort((a, b) => b.ratio - a.ratio || b.findings - a.findings || a.rule.localeCompare(b.rule));
  }
}

/**
 * better-sqlite3 is an optional peer dependency: a native addon that the CLI, the flake8 plugin and the
 * pre-commit hook never need, so installing eventlet-review does not compile SQLite. The service says
 * how to get it.
 */
async function loadSqlite(): Promise<typeof import("better-sqlite3")> {
  try {
    return (await import("better-sqlite3")).default;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error(
      "the review store's SQLite driver is not installed: run `npm install better-sqlite3@12` beside eventlet-review (the Docker image has it), or set DATABASE_URL to a PostgreSQL database",
    );
  }
}
