/**
 * `npm run corpus-report`: every rule (off-by-default ones included) over real OpenStack code from
 * Debian 12's packages, findings grouped by rule with the source line, for a human to judge.
 * Downloads the packages into the git-ignored `.cache/corpus` when they are missing.
 *
 *   npm run corpus-report                  all findings
 *   npm run corpus-report -- --rule EVL301 one rule
 *   npm run corpus-report -- --summary     counts only
 *   npm run corpus-report -- --json        machine-readable (for comparing runs)
 *   npm run corpus-report -- --root DIR    another tree of Python packages instead of the corpus
 *   npm run corpus-report -- --upstream DIR  today's OpenStack trees pinned by scripts/upstream-manifest.json,
 *                                            and real changes replayed (see scripts/corpus-upstream.ts)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Analyzer } from "../src/analyzer/analyze.js";
import { walkFiles } from "../src/platforms/local/walk.js";
import { DiskProjectFiles } from "../src/platforms/local/disk.js";
import type { Finding } from "../src/model/finding.js";
import { configSchema } from "../src/config/schema.js";
import { ALL_RULES } from "../src/rules/index.js";
import { analyzeUpstream, formatUpstream, readManifest, setupTrees } from "./corpus-upstream.js";

const CORPUS_PACKAGES = [
  "python3-nova",
  "python3-neutron",
  "python3-cinder",
  "python3-oslo.messaging",
  "python3-oslo.service",
];
const CACHE = join(process.cwd(), ".cache", "corpus");
const DEBS = join(CACHE, "debs");
const TREE = join(CACHE, "tree");
const CORPUS_ROOT = join(TREE, "usr", "lib", "python3", "dist-packages");

/** Downloads and unpacks the packages (no root, no dependencies) unless they are there already. */
function ensureCorpus(): void {
  mkdirSync(DEBS, { recursive: true });
  const have = readdirSync(DEBS).filter((f) => f.endsWith(".deb"));
  const missing = CORPUS_PACKAGES.filter((p) => !have.some((f) => f.startsWith(`${p}_`)));
  if (missing.length > 0) {
    process.stderr.write(`downloading ${missing.join(" ")} into ${DEBS}\n`);
    execFileSync("apt-get", ["download", ...missing], { cwd: DEBS, stdio: ["ignore", "ignore", "inherit"] });
  }
  if (missing.length > 0 || !existsSync(CORPUS_ROOT)) {
    for (const deb of readdirSync(DEBS).filter((f) => f.endsWith(".deb"))) {
      execFileSync("dpkg", ["-x", join(DEBS, deb), TREE]);
    }
  }
}

/** `name_version_arch.deb` → name and version, for the report header and docs/accuracy.md. */
function corpusVersions(): string[] {
  return readdirSync(DEBS)
    .filter((f) => f.endsWith(".deb"))
    .sort()
    .map((f) => {
      const [name, version] = f.replace(/\.deb$/, "").split("_");
      return `${name} ${decodeURIComponent(version)}`;
    });
}

interface CorpusRun {
  files: number;
  parsed: number;
  findings: (Finding & { source: string })[];
  notices: string[];
}

/** Every rule on, the defaults otherwise, over every `.py` file under `root`. */
async function analyzeCorpus(root: string, ruleFilter?: string): Promise<CorpusRun> {
  const rules = Object.fromEntries(ALL_RULES.filter((r) => !ruleFilter || r.meta.id === ruleFilter).map((r) => [r.meta.id, "on"]));
  const selected = ALL_RULES.filter((r) => r.meta.id in rules);
  const config = configSchema.parse({ rules });
  const analyzer = new Analyzer(config, new DiskProjectFiles(root), selected);
  const run: CorpusRun = { files: 0, parsed: 0, findings: [], notices: [] };
  for await (const path of walkFiles(root, config)) {
    const bytes = await readFile(join(root, path));
    const result = await analyzer.analyzeBytes(path, bytes);
    run.files++;
    if (result.parsed) run.parsed++;
    run.notices.push(...result.notices.map((n) => `${n.path}: ${n.message}`));
    if (result.findings.length === 0) continue;
    const lines = Buffer.from(bytes).toString("utf8").split(/\r?\n|\r/);
    for (const f of result.findings) run.findings.push({ ...f, source: (lines[f.line - 1] ?? "").trim() });
  }
  return run;
}

function packageOf(path: string): string {
  return path.split("/")[0];
}

function printReport(run: CorpusRun, root?: string): void {
  const out: string[] = [];
  out.push("# eventlet-review corpus report", "");
  for (const v of root ? [root] : corpusVersions()) out.push(`- ${v}`);
  out.push("", `${run.files} Python files, ${run.parsed} parsed after the trigger pre-filter, ${run.findings.length} findings.`, "");
  const rows = ALL_RULES.map((rule) => {
    const mine = run.findings.filter((f) => f.rule === rule.meta.id);
    const packages = new Map<string, number>();
    for (const f of mine) packages.set(packageOf(f.path), (packages.get(packageOf(f.path)) ?? 0) + 1);
    const perPackage = [...packages].map(([p, n]) => `${p} ${n}`).join(", ") || "-";
    const files = new Set(mine.map((f) => f.path)).size;
    return { rule, mine, line: `| ${rule.meta.id} | ${rule.meta.name} | ${mine.length} | ${files} | ${perPackage} |` };
  });
  out.push("| rule | name | findings | files | per package |", "|---|---|---|---|---|");
  for (const r of rows.filter((r) => r.rule.meta.enabledByDefault)) out.push(r.line);
  out.push("", "Off by default (turned on for this report):", "", "| rule | name | findings | files | per package |", "|---|---|---|---|---|");
  for (const r of rows.filter((r) => !r.rule.meta.enabledByDefault)) out.push(r.line);
  if (!process.argv.includes("--summary")) {
    for (const { rule, mine } of rows) {
      if (mine.length === 0) continue;
      out.push("", `## ${rule.meta.id} ${rule.meta.name}${rule.meta.enabledByDefault ? "" : " (off by default)"}: ${mine.length}`, "");
      for (const f of mine) {
        out.push(`${f.path}:${f.line}:${f.column}: [${f.severity}] ${f.message}`);
        out.push(`    ${f.source}`);
        for (const r of f.related ?? []) out.push(`    related ${r.path}:${r.line}: ${r.message}`);
      }
    }
  }
  if (run.notices.length > 0) out.push("", "## Notices", "", ...run.notices);
  process.stdout.write(`${out.join("\n")}\n`);
}

async function upstream(dir: string): Promise<void> {
  const manifestIndex = process.argv.indexOf("--manifest");
  const manifest = readManifest(manifestIndex > 0 ? process.argv[manifestIndex + 1] : undefined);
  if (process.argv.includes("--setup")) setupTrees(dir, manifest);
  const repoIndex = process.argv.indexOf("--repo");
  const run = await analyzeUpstream(dir, manifest, {
    repos: repoIndex > 0 ? process.argv[repoIndex + 1]?.split(",") : undefined,
    replaysOnly: process.argv.includes("--replays-only"),
    treesOnly: process.argv.includes("--trees-only"),
  });
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(run, null, 1)}\n`);
  else process.stdout.write(formatUpstream(run, process.argv.includes("--summary")));
}

async function main(): Promise<void> {
  const upstreamIndex = process.argv.indexOf("--upstream");
  if (upstreamIndex > 0) {
    const dir = process.argv[upstreamIndex + 1];
    if (!dir) throw new Error("--upstream needs a directory");
    return upstream(dir);
  }
  const ruleIndex = process.argv.indexOf("--rule");
  const ruleFilter = ruleIndex > 0 ? process.argv[ruleIndex + 1]?.toUpperCase() : undefined;
  if (ruleFilter && !ALL_RULES.some((r) => r.meta.id === ruleFilter)) throw new Error(`unknown rule ${ruleFilter}`);
  const rootIndex = process.argv.indexOf("--root");
  const root = rootIndex > 0 ? process.argv[rootIndex + 1] : undefined;
  if (!root) ensureCorpus();
  const run = await analyzeCorpus(root ?? CORPUS_ROOT, ruleFilter);
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify({ packages: root ? [root] : corpusVersions(), files: run.files, parsed: run.parsed, findings: run.findings, notices: run.notices }, null, 1)}\n`);
  } else {
    printReport(run, root);
  }
}

await main();
