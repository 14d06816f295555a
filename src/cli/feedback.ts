/**
 * `eventlet-review feedback [--format text|json] [--days N] [--database FILE | --database-url URL]`: the
 * per-rule precision table from the service's store, for a weekly look. It reads the store the service
 * writes: DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite, default eventlet-review.sqlite), as the
 * service does; flags as the status page does (FEEDBACK_FLAG_RATIO, FEEDBACK_FLAG_MIN_FINDINGS).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../platforms/local/config.js";
import { flagged } from "../service/status/page.js";
import type { RuleStats, Store } from "../service/store/store.js";

/** store.ts's default, repeated so that `check` never loads the database drivers. */
const DEFAULT_SQLITE_PATH = "eventlet-review.sqlite";

export interface FeedbackRow extends RuleStats {
  flagged: boolean;
}

function number(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} must be a number from ${min} to ${max} (got "${text}")`);
  return n;
}

export function formatFeedbackText(rows: readonly FeedbackRow[], days: number): string {
  if (rows.length === 0) return `No findings or feedback in the last ${days} days.\n`;
  const header = ["rule", "findings", "useful", "not useful", "ratio", "", "latest reason"];
  const body = rows.map((r) => [
    r.rule,
    String(r.findings),
    String(r.useful),
    String(r.notUseful),
    `${Math.round(r.ratio * 100)}%`,
    r.flagged ? "FLAGGED" : "",
    r.reasons[0] ? `"${r.reasons[0].reason.replace(/\s+/g, " ").slice(0, 80)}" (${r.reasons[0].who})` : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const right = new Set([1, 2, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...body.map(line)].join("\n")}\n\nLast ${days} days. ratio = findings someone called not useful / findings.\n`;
}

export async function feedbackCommand(args: string[], io: { cwd: string; env: NodeJS.ProcessEnv; stdout: (text: string) => void }): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: "string", default: "text" },
      days: { type: "string" },
      database: { type: "string" },
      "database-url": { type: "string" },
    },
  });
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`unknown --format ${values.format}: use text or json`);
  const days = number(values.days, "--days", 1, 3650, 30);
  const ratio = number(io.env.FEEDBACK_FLAG_RATIO, "FEEDBACK_FLAG_RATIO", 0, 1, 0.3);
  const minFindings = number(io.env.FEEDBACK_FLAG_MIN_FINDINGS, "FEEDBACK_FLAG_MIN_FINDINGS", 1, 1_000_000, 5);
  const databaseUrl = values["database-url"] ?? (values.database ? undefined : io.env.DATABASE_URL?.trim() || undefined);
  const sqlitePath = resolve(io.cwd, values.database ?? (io.env.DATABASE_PATH?.trim() || DEFAULT_SQLITE_PATH));
  // Reading never creates a store: a wrong path says so instead of showing an empty table.
  if (!databaseUrl && !existsSync(sqlitePath)) throw new UsageError(`no store at ${sqlitePath}: pass --database FILE or --database-url URL (or set DATABASE_PATH / DATABASE_URL as for the service)`);
  let store: Store;
  try {
    // Loaded here: every other command starts without the database drivers.
    const { Store } = await import("../service/store/store.js");
    store = await Store.open({ databaseUrl, sqlitePath });
  } catch (error) {
    throw new UsageError(`the store could not be opened: ${(error as Error).message.split("\n")[0]}`);
  }
  try {
    const rows: FeedbackRow[] = (await store.ruleStats(days)).map((s) => ({ ...s, flagged: flagged(s, ratio, minFindings) }));
    io.stdout(values.format === "json" ? `${JSON.stringify({ days, flagRatio: ratio, flagMinFindings: minFindings, rules: rows }, null, 2)}\n` : formatFeedbackText(rows, days));
  } finally {
    await store.close();
  }
  return 0;
}
