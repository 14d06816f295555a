/**
 * The upstream half of `npm run corpus-report`: today's OpenStack trees, checked out outside the
 * repository and pinned by `scripts/upstream-manifest.json`, reviewed the way a user runs the CLI
 * (`check .` at each tree's top, the tree's own requirements and config), plus real changes from their
 * history replayed as `check --base C^` on a checkout at C.
 *
 *   npm run corpus-report -- --upstream DIR            per rule and repository, every finding, every replay
 *   npm run corpus-report -- --upstream DIR --summary  the tables only
 *   npm run corpus-report -- --upstream DIR --json     machine-readable (for comparing runs)
 *   npm run corpus-report -- --upstream DIR --setup    clone missing trees from the manifest's URLs first
 *   ... --repo nova,cinder                             only these projects
 *   ... --trees-only / --replays-only                  one half of the report
 *
 * The trees are never committed: DIR/<project> holds each checkout at the pinned commit, and the replays
 * run in DIR/.replay/<project>, a second clone sharing the first one's objects.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Finding, Severity } from "../src/model/finding.js";
import { runCheck } from "../src/cli/check.js";
import { ALL_RULES } from "../src/rules/index.js";

export interface UpstreamProject {
  project: string;
  url: string;
  commit: string;
}

/** A real change from a project's history, with what a core reviewer expects the bot to say. */
export interface ReplayedChange {
  repo: string;
  sha: string;
  title: string;
  /**
   * `silent`: a correct change (or one that does not touch eventlet) must get no error; `flag`: the bot
   * must find every rule of `rules`. Either way an error from a rule outside `rules` and `allow` fails.
   */
  expect: "silent" | "flag";
  rules?: string[];
  /** Rules whose errors a reviewer would defend on this change (moved code, the spec's letter): they do not fail `silent`. */
  allow?: string[];
  why: string;
}

export interface UpstreamManifest {
  projects: UpstreamProject[];
  changes: ReplayedChange[];
}

type Located = Finding & { source: string };

export interface TreeRun {
  project: string;
  commit: string;
  files: number;
  parsed: number;
  findings: Located[];
}

export interface ReplayRun extends ReplayedChange {
  findings: Located[];
  /** Did the bot do what `expect` asks (no error on a silent change; every rule of `rules` found)? */
  ok: boolean;
  error?: string;
}

export const MANIFEST = join(import.meta.dirname, "upstream-manifest.json");

export function readManifest(path = MANIFEST): UpstreamManifest {
  return JSON.parse(readFileSync(path, "utf8")) as UpstreamManifest;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Clones a missing tree from its URL and checks out the pinned commit (`--setup`). */
export function setupTrees(dir: string, manifest: UpstreamManifest): void {
  mkdirSync(dir, { recursive: true });
  for (const p of manifest.projects) {
    const tree = join(dir, p.project);
    if (!existsSync(tree)) {
      process.stderr.write(`cloning ${p.url} into ${tree}\n`);
      execFileSync("git", ["clone", "-q", p.url, tree], { stdio: ["ignore", "ignore", "inherit"] });
    }
    git(tree, "checkout", "-q", "--detach", p.commit);
  }
}

function withSource(findings: Finding[], directory: string): Located[] {
  const cache = new Map<string, string[]>();
  return findings.map((f) => {
    let lines = cache.get(f.path);
    if (!lines) {
      lines = readFileSync(join(directory, f.path), "utf8").split(/\r?\n|\r/);
      cache.set(f.path, lines);
    }
    return { ...f, source: (lines[f.line - 1] ?? "").trim() };
  });
}

/** `check .` at the tree's top, as a user runs it: whole-tree mode, the tree's own config. */
async function runTree(dir: string, p: UpstreamProject): Promise<TreeRun> {
  const tree = join(dir, p.project);
  const head = git(tree, "rev-parse", "HEAD");
  if (head !== p.commit) throw new Error(`${tree} is at ${head.slice(0, 12)}, the manifest pins ${p.commit.slice(0, 12)}: check it out (or rerun with --setup)`);
  const result = await runCheck({ paths: ["."], cwd: tree });
  return { project: p.project, commit: p.commit, files: result.filesChecked, parsed: result.filesParsed, findings: withSource(result.findings, tree) };
}

/** `check --base C^` in a checkout at C, in a clone that shares the pinned tree's objects. */
async function runReplay(dir: string, change: ReplayedChange): Promise<ReplayRun> {
  const replayDir = join(dir, ".replay", change.repo);
  try {
    if (!existsSync(replayDir)) {
      mkdirSync(join(dir, ".replay"), { recursive: true });
      execFileSync("git", ["clone", "-q", "--shared", "--no-checkout", join(dir, change.repo), replayDir]);
    }
    git(replayDir, "checkout", "-q", "--force", "--detach", change.sha);
    git(replayDir, "clean", "-q", "-fdx");
    const result = await runCheck({ paths: ["."], cwd: replayDir, base: `${change.sha}^` });
    const findings = withSource(result.findings, replayDir);
    const found = new Set(findings.map((f) => f.rule));
    // An error from a rule the reviewer did not expect (nor defend) fails either kind of change.
    const expected = new Set([...(change.rules ?? []), ...(change.allow ?? [])]);
    const noStrayError = !findings.some((f) => f.severity === "error" && !expected.has(f.rule));
    const ok = noStrayError && (change.rules ?? []).every((r) => found.has(r));
    return { ...change, findings, ok };
  } catch (error) {
    return { ...change, findings: [], ok: false, error: (error as Error).message };
  }
}

export interface UpstreamRun {
  trees: TreeRun[];
  replays: ReplayRun[];
}

export interface UpstreamOptions {
  /** Only these projects (trees and replays). */
  repos?: string[];
  /** Skip the whole-tree runs, replay only. */
  replaysOnly?: boolean;
  /** Skip the replays. */
  treesOnly?: boolean;
}

export async function analyzeUpstream(dir: string, manifest: UpstreamManifest, options: UpstreamOptions = {}): Promise<UpstreamRun> {
  const root = resolve(dir);
  const wanted = (repo: string) => !options.repos?.length || options.repos.includes(repo);
  const trees: TreeRun[] = [];
  for (const p of options.replaysOnly ? [] : manifest.projects.filter((p) => wanted(p.project))) {
    process.stderr.write(`checking ${p.project}\n`);
    trees.push(await runTree(root, p));
  }
  const replays: ReplayRun[] = [];
  for (const c of options.treesOnly ? [] : manifest.changes.filter((c) => wanted(c.repo))) {
    process.stderr.write(`replaying ${c.repo} ${c.sha.slice(0, 10)}\n`);
    replays.push(await runReplay(root, c));
  }
  return { trees, replays };
}

const LEVELS: Severity[] = ["error", "warning", "info"];

function countCell(findings: Finding[]): string {
  if (findings.length === 0) return "-";
  const bySeverity = LEVELS.map((s) => [s[0].toUpperCase(), findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return `${findings.length} (${bySeverity.map(([s, n]) => `${n}${s}`).join(" ")})`;
}

function formatFinding(f: Located): string[] {
  const out = [`${f.path}:${f.line}:${f.column}: ${f.rule} [${f.severity}] ${f.message}`, `    ${f.source}`];
  for (const r of f.related ?? []) out.push(`    related ${r.path}:${r.line}: ${r.message}`);
  return out;
}

export function formatUpstream(run: UpstreamRun, summary: boolean): string {
  const out: string[] = ["# eventlet-review upstream corpus report", ""];
  out.push("| repository | commit | Python files | parsed | findings |", "|---|---|---|---|---|");
  for (const t of run.trees) out.push(`| ${t.project} | \`${t.commit.slice(0, 10)}\` | ${t.files} | ${t.parsed} | ${countCell(t.findings)} |`);
  const all = run.trees.flatMap((t) => t.findings);
  out.push(`| **total** | | ${run.trees.reduce((n, t) => n + t.files, 0)} | ${run.trees.reduce((n, t) => n + t.parsed, 0)} | ${countCell(all)} |`);
  out.push("", "Findings per rule and repository (`check .`, default config; E/W/I = error/warning/info):", "");
  const projects = run.trees.filter((t) => t.findings.length > 0);
  out.push(`| rule | ${projects.map((t) => t.project).join(" | ")} | total |`, `|---|${projects.map(() => "---|").join("")}---|`);
  for (const rule of ALL_RULES) {
    const cells = projects.map((t) => countCell(t.findings.filter((f) => f.rule === rule.meta.id)));
    out.push(`| ${rule.meta.id} | ${cells.join(" | ")} | ${countCell(all.filter((f) => f.rule === rule.meta.id))} |`);
  }
  out.push("", "## Replayed changes (`check --base C^` at C)", "");
  out.push("| repository | change | expected | comments | outcome |", "|---|---|---|---|---|");
  for (const r of run.replays) {
    const expected = r.expect === "silent" ? `no error${r.allow ? ` (but ${r.allow.join(", ")})` : ""}` : (r.rules ?? []).join(", ");
    const outcome = r.error ? `error: ${r.error}` : r.ok ? "as expected" : "**NOT as expected**";
    out.push(`| ${r.repo} | \`${r.sha.slice(0, 10)}\` ${r.title} | ${expected} | ${countCell(r.findings)} | ${outcome} |`);
  }
  if (!summary) {
    for (const t of run.trees) {
      if (t.findings.length === 0) continue;
      out.push("", `## ${t.project}: ${t.findings.length}`, "");
      for (const f of [...t.findings].sort((a, b) => a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path) || a.line - b.line)) out.push(...formatFinding(f));
    }
    out.push("", "## Comments on the replayed changes");
    for (const r of run.replays) {
      out.push("", `### ${r.repo} ${r.sha.slice(0, 12)} ${r.title} (expected: ${r.expect}${r.rules ? ` ${r.rules.join(", ")}` : ""})`, "", r.why, "");
      if (r.error) out.push(`replay failed: ${r.error}`);
      else if (r.findings.length === 0) out.push("(no comments)");
      for (const f of r.findings) out.push(...formatFinding(f));
    }
  }
  return `${out.join("\n")}\n`;
}
