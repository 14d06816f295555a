/**
 * `npm run bench`: eventlet-review against the floor (a bare tree-sitter parse), Ruff (wasm) and flake8
 * with hacking, on the same real OpenStack files, each tool in its own process, medians of several runs.
 *
 *   npm run bench [-- --runs N] [--flake8-runs N] [--scaling-runs N] [--sample K] [--no-flake8] [--json FILE]
 *
 * --sample K compares the tools on every K-th file only (a busy or slow machine); the memory scaling
 * runs always use 25%, 50% and 100% of the whole corpus.
 *
 * The corpus is Debian 12's python3-nova, -neutron, -cinder, -oslo.messaging and -oslo.service,
 * fetched with `apt-get download` and unpacked with `dpkg -x` into .cache/corpus (git-ignored) when
 * missing. flake8 and hacking come from Debian (`apt-get install flake8 python3-hacking`); the bench
 * installs them when it runs as root and skips flake8 with a note otherwise.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Analyzer } from "../src/analyzer/analyze.js";
import { DiskProjectFiles } from "../src/platforms/local/disk.js";
import { triggersOf, TriggerSubject } from "../src/rules/triggers.js";
import type { Trigger } from "../src/rules/types.js";
import { decodeSource } from "../src/python/source.js";
import { defaultConfig, parseConfig } from "../src/config/load.js";
import { walkFiles } from "../src/platforms/local/walk.js";
import { ALL_RULES } from "../src/rules/index.js";

const TOP = resolve(import.meta.dirname, "..");
const CACHE = join(TOP, ".cache");
const CORPUS = join(CACHE, "corpus");
const TREE = join(CORPUS, "tree");
const ROOT = join(TREE, "usr/lib/python3/dist-packages");
const WORK = join(CACHE, "bench");
const PACKAGES = ["python3-nova", "python3-neutron", "python3-cinder", "python3-oslo.messaging", "python3-oslo.service"];
const MODULES = ["nova", "neutron", "cinder", "oslo_messaging", "oslo_service"];
const FLAKE8 = "/usr/bin/flake8";

const TARGETS = { parseRatio: 1.25, flake8Ratio: 10, memoryGrowth: 1.25 };

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    "flake8-runs": { type: "string" },
    "scaling-runs": { type: "string", default: "1" },
    sample: { type: "string", default: "1" },
    "no-flake8": { type: "boolean", default: false },
    json: { type: "string", default: join(WORK, "results.json") },
  },
});
const RUNS = Number(opts.runs);
const FLAKE8_RUNS = Number(opts["flake8-runs"] ?? opts.runs);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------------------- corpus
function ensureCorpus(): void {
  if (MODULES.every((m) => existsSync(join(ROOT, m)))) return;
  const debs = join(CORPUS, "debs");
  mkdirSync(debs, { recursive: true });
  log(`fetching the corpus: apt-get download ${PACKAGES.join(" ")}`);
  execFileSync("apt-get", ["download", ...PACKAGES], { cwd: debs, stdio: "inherit" });
  for (const deb of readdirSync(debs).filter((f) => f.endsWith(".deb"))) {
    execFileSync("dpkg", ["-x", join(debs, deb), TREE], { stdio: "inherit" });
  }
  const missing = MODULES.filter((m) => !existsSync(join(ROOT, m)));
  if (missing.length) throw new Error(`the corpus lacks ${missing.join(", ")} after unpacking`);
}

function ensureFlake8(): string | undefined {
  if (opts["no-flake8"]) return "skipped (--no-flake8)";
  if (!existsSync(FLAKE8) && process.getuid?.() === 0) {
    log("installing flake8 and hacking: apt-get install flake8 python3-hacking");
    spawnSync("apt-get", ["install", "-y", "-qq", "flake8", "python3-hacking"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (!existsSync(FLAKE8)) return "skipped: /usr/bin/flake8 is missing (apt-get install flake8 python3-hacking)";
  const version = spawnSync(FLAKE8, ["--version"], { encoding: "utf8" }).stdout;
  if (!version.includes("hacking")) return `skipped: flake8 has no hacking plugin (${version.trim()})`;
  return undefined;
}

// ---------------------------------------------------------------------------------------- files
interface FileSet {
  label: string;
  root: string;
  list: string;
  files: number;
  lines: number;
  bytes: number;
}

async function corpusFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const path of walkFiles(ROOT, defaultConfig())) {
    if (MODULES.includes(path.split("/")[0])) files.push(path);
  }
  return files;
}

function describe(label: string, root: string, files: string[]): FileSet {
  const list = join(WORK, `${label}.list`);
  writeFileSync(list, `${files.join("\n")}\n`);
  let lines = 0;
  let bytes = 0;
  for (const f of files) {
    const data = readFileSync(join(root, f));
    bytes += data.length;
    for (const b of data) if (b === 10) lines++;
  }
  return { label, root, list, files: files.length, lines, bytes };
}

/** Every k-th file, hard-linked into its own tree so the CLI walks exactly that subset. */
function subset(files: string[], every: number, label: string): FileSet {
  const root = join(WORK, label);
  rmSync(root, { recursive: true, force: true });
  const picked = files.filter((_, i) => i % every === 0);
  for (const f of picked) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    linkSync(join(ROOT, f), join(root, f));
  }
  return describe(label, root, picked);
}

// ---------------------------------------------------------------------------------------- runs
interface Sample {
  wallMs: number;
  /** User + system CPU time of the process and its threads (and, for flake8, its workers). */
  cpuMs: number;
  maxRssKb: number;
  detail: Record<string, number>;
}

function timed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ wallMs: number; stdout: string; code: number | null }> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? TOP, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", fail);
    child.on("close", (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0 && code !== 1) fail(new Error(`${command} ${args.slice(0, 3).join(" ")} exited ${code}: ${Buffer.concat(err).toString().slice(0, 2000)}`));
      else done({ wallMs, stdout: Buffer.concat(out).toString(), code });
    });
  });
}

const RSS_HOOK = join(WORK, "rss-hook.mjs");

async function runChild(mode: string, set: FileSet, extra: string[] = []): Promise<Sample> {
  const r = await timed(process.execPath, ["--import", "tsx", join(TOP, "scripts/bench-child.ts"), mode, set.root, set.list, ...extra]);
  const detail = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
  return { wallMs: r.wallMs, cpuMs: detail.cpuMs, maxRssKb: detail.maxRssKb, detail };
}

/** The CLI exactly as users run it: `node bin/eventlet-review.js check --format json ROOT`. */
async function runAnalysis(set: FileSet, extraArgs: string[] = []): Promise<Sample> {
  const rssFile = join(WORK, "analysis.rss");
  const r = await timed(process.execPath, ["--import", RSS_HOOK, join(TOP, "bin/eventlet-review.js"), "check", "--format", "json", ...extraArgs, set.root], {
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
  });
  const findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
  const [maxRssKb, cpuMs] = readFileSync(rssFile, "utf8").trim().split(" ").map(Number);
  return { wallMs: r.wallMs, cpuMs, maxRssKb, detail: { findings } };
}

/** flake8 with hacking, Debian's defaults (jobs = number of CPUs); peak RSS of its largest process. */
async function runFlake8(set: FileSet): Promise<Sample> {
  const wrapper = [
    "import resource, subprocess, sys",
    "files = open(sys.argv[2]).read().split()",
    "p = subprocess.run(['/usr/bin/flake8', '--exit-zero', *files], cwd=sys.argv[1], stdout=subprocess.PIPE)",
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)",
    "print(len(p.stdout.splitlines()), u.ru_maxrss, round((u.ru_utime + u.ru_stime) * 1000))",
  ].join("\n");
  const r = await timed("/usr/bin/python3", ["-c", wrapper, set.root, set.list]);
  const [findings, maxRssKb, cpuMs] = r.stdout.trim().split(/\s+/).map(Number);
  return { wallMs: r.wallMs, cpuMs, maxRssKb, detail: { findings } };
}

async function measure(name: string, runs: number, once: () => Promise<Sample>): Promise<Sample & { runs: number[] }> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await once();
    samples.push(s);
    log(`  ${name} run ${i + 1}/${runs}: ${(s.wallMs / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s CPU, ${(s.maxRssKb / 1024).toFixed(0)} MB`);
  }
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    maxRssKb: median(samples.map((s) => s.maxRssKb)),
    detail: samples[samples.length - 1].detail,
    runs: samples.map((s) => Math.round(s.wallMs)),
  };
}

// ---------------------------------------------------------------------------------------- report
function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
}

const ALL_RULES_CONFIG = join(WORK, "all-rules.yaml");

function triggerLabel(trigger: Trigger): string {
  return trigger.map((p) => `${p.scope} /${p.pattern.source}/`).join(" & ");
}

interface Admission {
  /** Files the pre-filter lets through to the parser (some rule's trigger matched and its gate agreed). */
  parsed: number;
  parsedBytes: number;
  /** Per rule: files one of its triggers matches, and files its gate then admits. */
  rules: { id: string; matched: number; admitted: number; triggers: { trigger: string; files: number }[] }[];
}

/** What the analyzer's pre-filter admits on these files, with every rule on, trigger by trigger. */
async function admission(set: FileSet): Promise<Admission> {
  const config = parseConfig(readFileSync(ALL_RULES_CONFIG, "utf8"));
  const analyzer = new Analyzer(config, new DiskProjectFiles(set.root), undefined, { mode: "tree" });
  const rules = analyzer.rules.map((r) => ({ id: r.rule.meta.id, all: triggersOf(r.rule, config), matched: 0, admitted: 0, counts: [] as number[] }));
  let parsed = 0;
  let parsedBytes = 0;
  for (const f of readFileSync(set.list, "utf8").split("\n").filter(Boolean)) {
    const source = decodeSource(readFileSync(join(set.root, f)), config.max_file_bytes);
    if (source.kind !== "text") continue;
    const subject = new TriggerSubject(source.text);
    for (const r of rules) {
      let any = false;
      r.all.forEach((t, i) => {
        const hit = subject.matches(t);
        r.counts[i] = (r.counts[i] ?? 0) + (hit ? 1 : 0);
        any ||= hit;
      });
      if (any) r.matched++;
    }
    const admitted = await analyzer.admittedRules(f, source.text);
    for (const a of admitted) rules.find((r) => r.id === a.rule.meta.id)!.admitted++;
    if (admitted.length > 0) {
      parsed++;
      parsedBytes += source.text.length;
    }
  }
  return {
    parsed,
    parsedBytes,
    rules: rules.map((r) => ({ id: r.id, matched: r.matched, admitted: r.admitted, triggers: r.all.map((t, i) => ({ trigger: triggerLabel(t), files: r.counts[i] ?? 0 })) })),
  };
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  // Every rule on, including those off by default.
  writeFileSync(ALL_RULES_CONFIG, `rules:\n${ALL_RULES.map((r) => `  ${r.meta.id}: on\n`).join("")}`);
  writeFileSync(
    RSS_HOOK,
    [
      'import { writeFileSync } from "node:fs";',
      "const t = process.env.BENCH_RSS_FILE;",
      "if (t) process.on(\"exit\", () => { const u = process.resourceUsage(); writeFileSync(t, `${u.maxRSS} ${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)}\\n`); });",
      "",
    ].join("\n"),
  );
  ensureCorpus();
  const flake8Skip = ensureFlake8();
  log("building the CLI (npm run build)");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: TOP, stdio: "inherit" });

  const all = await corpusFiles();
  let full = describe("all", ROOT, all);
  // The analysis walks ROOT itself: make sure it sees exactly these files (no stray trees beside them).
  const stray = readdirSync(ROOT).filter((e) => !MODULES.includes(e) && statSync(join(ROOT, e)).isDirectory() && !e.endsWith(".egg-info"));
  if (stray.length) throw new Error(`unexpected directories in ${ROOT}: ${stray.join(", ")}`);
  const quarter = subset(all, 4, "p25");
  const half = subset(all, 2, "p50");
  const whole = full;
  const sample = Number(opts.sample);
  if (sample > 1) full = subset(all, sample, `sample${sample}`);
  log(`corpus: ${whole.files} files, ${whole.lines} lines, ${(whole.bytes / 1e6).toFixed(1)} MB (${MODULES.join(", ")})`);
  if (sample > 1) log(`comparing the tools on every ${sample}th file: ${full.files} files, ${(full.bytes / 1e6).toFixed(1)} MB`);

  log("bare parse (web-tree-sitter, every file)");
  const parse = await measure("parse", RUNS, () => runChild("parse", full));
  log("eventlet-review check (the CLI, all rules on)");
  const analysis = await measure("analysis", RUNS, () => runAnalysis(full, ["--config", ALL_RULES_CONFIG]));
  log("eventlet-review check --jobs 2 (worker threads)");
  const analysisJobs = await measure("analysis --jobs 2", RUNS, () => runAnalysis(full, ["--config", ALL_RULES_CONFIG, "--jobs", "2"]));
  log("ruff (wasm, default rules)");
  const ruff = await measure("ruff", RUNS, () => runChild("ruff", full));
  let flake8: (Sample & { runs: number[] }) | undefined;
  if (!flake8Skip) {
    log("flake8 + hacking");
    flake8 = await measure("flake8", FLAKE8_RUNS, () => runFlake8(full));
  } else log(`flake8: ${flake8Skip}`);
  log("memory as the file count grows (the CLI on 25%, 50%, 100% of the files)");
  const scaling = [];
  for (const set of [quarter, half, whole]) {
    const s = await measure(`analysis ${set.label}`, Number(opts["scaling-runs"]), () => runAnalysis(set, ["--config", ALL_RULES_CONFIG]));
    scaling.push({ label: set.label, files: set.files, wallMs: s.wallMs, maxRssKb: s.maxRssKb });
  }

  const mb = full.bytes / 1e6;
  const admitted = await admission(full);
  const triggered = admitted.parsed;
  const tools = [
    { name: "bare parse (web-tree-sitter)", s: parse, note: "1 thread" },
    { name: "eventlet-review check", s: analysis, note: "CLI, all rules on" },
    { name: "eventlet-review check --jobs 2", s: analysisJobs, note: "2 worker threads" },
    { name: "ruff 0.17 (wasm)", s: ruff, note: "1 thread, default rules" },
    ...(flake8 ? [{ name: "flake8 5.0.4 + hacking 4.1", s: flake8, note: "-j auto (2 CPUs)" }] : []),
  ];
  const widths = [32, 6, 9, 6, 8, 7, 8, 8, 24];
  const out: string[] = [];
  if (sample > 1) out.push(`Corpus: ${whole.files} files, ${whole.lines.toLocaleString("en")} lines, ${(whole.bytes / 1e6).toFixed(1)} MB; the tools compared on every ${sample}th file:`);
  out.push(`${sample > 1 ? "Sample" : "Corpus"}: ${full.files} files, ${full.lines.toLocaleString("en")} lines, ${mb.toFixed(1)} MB; medians of ${RUNS} runs${flake8 && FLAKE8_RUNS !== RUNS ? ` (flake8: ${FLAKE8_RUNS})` : ""}.`);
  out.push("");
  out.push(row(["tool", "files", "lines", "MB", "wall s", "CPU s", "files/s", "peak MB", "notes"], widths));
  for (const t of tools) {
    out.push(row([t.name, full.files, full.lines, mb.toFixed(1), (t.s.wallMs / 1000).toFixed(2), (t.s.cpuMs / 1000).toFixed(2), Math.round(full.files / (t.s.wallMs / 1000)), Math.round(t.s.maxRssKb / 1024), t.note], widths));
  }
  out.push("");
  out.push(`eventlet-review parsed ${triggered} of ${full.files} files (the others hold no rule's trigger text) and reported ${analysis.detail.findings} findings.`);
  out.push(`ruff reported ${ruff.detail.diagnostics} diagnostics${flake8 ? `, flake8 ${flake8.detail.findings}` : ""}.`);
  out.push("");
  out.push(`pre-filter, all rules on: ${admitted.parsed} files parsed (${(admitted.parsedBytes / 1e6).toFixed(1)} MB); per rule, files a trigger matches -> files its gate admits:`);
  for (const r of admitted.rules) {
    out.push(`  ${r.id} ${String(r.matched).padStart(5)} -> ${String(r.admitted).padStart(5)}`);
    for (const t of r.triggers) out.push(`      ${String(t.files).padStart(5)}  ${t.trigger}`);
  }
  out.push("");
  out.push(row(["memory scaling", "files", "", "", "wall s", "", "", "peak MB", ""], widths));
  for (const s of scaling) out.push(row([`  ${s.label}`, s.files, "", "", (s.wallMs / 1000).toFixed(2), "", "", Math.round(s.maxRssKb / 1024), ""], widths));
  out.push("");

  const ratioParse = analysis.wallMs / parse.wallMs;
  const ratioRuff = analysis.wallMs / ruff.wallMs;
  const ratioFlake8 = flake8 ? analysis.wallMs / flake8.wallMs : undefined;
  const growth = scaling[2].maxRssKb / scaling[0].maxRssKb;
  const cpuRatio = (a: Sample, b: Sample) => (a.cpuMs / b.cpuMs).toFixed(2);
  out.push(`analysis / bare parse: ${ratioParse.toFixed(2)}x wall, ${cpuRatio(analysis, parse)}x CPU; with --jobs 2: ${(analysisJobs.wallMs / parse.wallMs).toFixed(2)}x wall`);
  out.push(`analysis / ruff:       ${ratioRuff.toFixed(2)}x wall, ${cpuRatio(analysis, ruff)}x CPU`);
  out.push(
    `analysis / flake8:     ${ratioFlake8 === undefined ? "n/a" : `${ratioFlake8.toFixed(3)}x wall (flake8 takes ${(1 / ratioFlake8).toFixed(1)}x as long), ${cpuRatio(analysis, flake8!)}x CPU`}`,
  );
  out.push(`peak RSS 100% / 25%:   ${growth.toFixed(2)}x`);
  const load = loadavg()[0];
  out.push(`load average at the end: ${load.toFixed(1)} on ${availableParallelism()} CPUs${load > availableParallelism() ? " (busy machine: wall times are inflated; compare the CPU column)" : ""}`);
  out.push("");
  const verdict = (ok: boolean | undefined) => (ok === undefined ? "SKIP" : ok ? "PASS" : "FAIL");
  // Wall time is what a user waits for; CPU time is the work done, and the fair measure when other
  // processes share the machine. Both are judged; the memory target has one measure.
  const bestAnalysisWall = Math.min(analysis.wallMs, analysisJobs.wallMs);
  const checks = [
    [`full analysis within ${TARGETS.parseRatio}x the bare parse`, bestAnalysisWall / parse.wallMs <= TARGETS.parseRatio, analysis.cpuMs / parse.cpuMs <= TARGETS.parseRatio],
    ["faster than Ruff (wasm)", bestAnalysisWall < ruff.wallMs, analysis.cpuMs < ruff.cpuMs],
    [
      `at least ${TARGETS.flake8Ratio}x faster than flake8 + hacking`,
      flake8 ? flake8.wallMs / bestAnalysisWall >= TARGETS.flake8Ratio : undefined,
      flake8 ? flake8.cpuMs / analysis.cpuMs >= TARGETS.flake8Ratio : undefined,
    ],
    [`memory flat as files grow (peak RSS at 100% within ${TARGETS.memoryGrowth}x of 25%)`, growth <= TARGETS.memoryGrowth, growth <= TARGETS.memoryGrowth],
  ] as const;
  out.push("wall  CPU   target (wall: the faster of 1 thread and --jobs 2)");
  for (const [what, wall, cpu] of checks) out.push(`${verdict(wall)}  ${verdict(cpu)}  ${what}`);
  out.push("");
  out.push(
    "Note: the analysis parses only files that contain a rule's trigger text, so it can beat the bare parse " +
      "of every file; the bare parse is the floor for a design that parses everything, not for this one.",
  );
  process.stdout.write(`${out.join("\n")}\n`);

  writeFileSync(
    opts.json!,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        corpus: { files: whole.files, lines: whole.lines, bytes: whole.bytes, packages: PACKAGES },
        compared: { files: full.files, lines: full.lines, bytes: full.bytes, everyKth: sample },
        runs: RUNS,
        parse,
        analysis,
        analysisJobs2: analysisJobs,
        ruff,
        flake8: flake8 ?? flake8Skip,
        scaling,
        admission: admitted,
        ratios: { analysisOverParse: ratioParse, analysisOverRuff: ratioRuff, analysisOverFlake8: ratioFlake8, rssGrowth: growth },
        verdicts: Object.fromEntries(checks.map(([what, wall, cpu]) => [what, { wall: verdict(wall), cpu: verdict(cpu) }])),
      },
      null,
      2,
    ),
  );
  log(`results: ${opts.json}`);
}

await main();
