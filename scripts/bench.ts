/**
 * `npm run bench`: eventlet-review against Ruff (wasm, as a user runs it: one Workspace over every file,
 * the rules `ruff check` selects by default and also E,F,W), a bare tree-sitter parse of every file and flake8 with hacking, on
 * the same real OpenStack files (issue 18's nova, neutron and cinder), each run a whole process; rounds
 * alternate the tools and medians are kept. Also: a second run of nova over the results cache, a review
 * of a 100-file change of nova (`check --base`). (`--jobs` is gone: worker threads were no faster.)
 *
 *   npm run bench [-- --runs N] [--flake8-runs N] [--no-flake8] [--no-parse] [--json FILE]
 *
 * Every run waits for the 1-minute load average to settle below the number of CPUs (half a CPU to
 * spare, at most two minutes), and every figure carries the loads its runs started at; when one
 * exceeded the number of CPUs the bench prints BUSY instead of PASS or FAIL (wall times then say little).
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
/** What the tools are compared on (issue 18): nova, neutron and cinder. */
const COMPARED = ["nova", "neutron", "cinder"];
const FLAKE8 = "/usr/bin/flake8";

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    "flake8-runs": { type: "string" },
    "no-flake8": { type: "boolean", default: false },
    "no-parse": { type: "boolean", default: false },
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

// ---------------------------------------------------------------------------------------- runs
interface Sample {
  wallMs: number;
  /** User + system CPU time of the process and its threads (and, for flake8, its workers). */
  cpuMs: number;
  maxRssKb: number;
  detail: Record<string, number>;
}

/**
 * The environment every measured process gets: this shell's, less NODE_EXTRA_CA_CERTS. With it set
 * (some sandboxes set it for their proxy), Node reads and parses the whole CA bundle before it runs
 * any code: about 0.1 s per process here, for every Node tool alike, and none of them uses TLS. A
 * user's shell does not set it. The bench times an empty Node process both ways and prints the difference.
 */
const { NODE_EXTRA_CA_CERTS: INHERITED_CA_CERTS, ...CHILD_ENV } = process.env;

function timed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ wallMs: number; stdout: string; code: number | null }> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? TOP, env: options.env ?? CHILD_ENV, stdio: ["ignore", "pipe", "pipe"] });
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
const RUFF_CHILD = join(WORK, "ruff-child.mjs");

/**
 * Ruff as a user of its wasm build runs it: plain JavaScript (no TypeScript loader in the way), one
 * Workspace for every file as `ruff check` has one configuration, the files read as UTF-8 text; the
 * analyzer's size limit skips the same files.
 */
const RUFF_SOURCE = `import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
const [root, list, select] = process.argv.slice(2);
const require = createRequire(${JSON.stringify(join(TOP, "package.json"))});
const { Workspace, PositionEncoding } = require("@astral-sh/ruff-wasm-nodejs");
const workspace = new Workspace({ lint: { select: select.split(",") } }, PositionEncoding.Utf16);
let diagnostics = 0;
for (const path of readFileSync(list, "utf8").split("\\n").filter(Boolean)) {
  const bytes = readFileSync(join(root, path));
  if (bytes.length <= 2 * 1024 * 1024) diagnostics += workspace.check(bytes.toString("utf8")).length;
}
const u = process.resourceUsage();
process.stdout.write(JSON.stringify({ diagnostics, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000), maxRssKb: u.maxRSS }) + "\\n");
`;

/**
 * Ruff's rules as `ruff check` selects them with no configuration (E4, E7, E9, F), or `select`. Named
 * explicitly: the wasm Workspace's own default (`{}`) is the playground's far larger selection (UP, B,
 * SIM, TRY, RUF… : 37,314 diagnostics here against 468), which no `ruff check` user runs.
 */
const RUFF_DEFAULT_RULES = "E4,E7,E9,F";

async function runRuff(set: FileSet, select = RUFF_DEFAULT_RULES): Promise<Sample> {
  const r = await timed(process.execPath, [RUFF_CHILD, set.root, set.list, select]);
  const detail = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
  return { wallMs: r.wallMs, cpuMs: detail.cpuMs, maxRssKb: detail.maxRssKb, detail };
}

async function runChild(mode: string, set: FileSet, extra: string[] = []): Promise<Sample> {
  const r = await timed(process.execPath, ["--import", "tsx", join(TOP, "scripts/bench-child.ts"), mode, set.root, set.list, ...extra]);
  const detail = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
  return { wallMs: r.wallMs, cpuMs: detail.cpuMs, maxRssKb: detail.maxRssKb, detail };
}

/** The CLI exactly as users run it: `node bin/eventlet-review.js check --format json ROOT`. */
async function runAnalysis(set: FileSet, extraArgs: string[] = [], cwd?: string, env: NodeJS.ProcessEnv = CHILD_ENV): Promise<Sample> {
  const rssFile = join(WORK, "analysis.rss");
  const r = await timed(process.execPath, ["--import", RSS_HOOK, join(TOP, "bin/eventlet-review.js"), "check", "--format", "json", ...extraArgs, set.root], {
    cwd,
    env: { ...env, BENCH_RSS_FILE: rssFile },
  });
  const findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
  const [maxRssKb, cpuMs] = readFileSync(rssFile, "utf8").trim().split(" ").map(Number);
  return { wallMs: r.wallMs, cpuMs, maxRssKb, detail: { findings } };
}

/** An empty Node process (its own CPU time as its output): what every Node process pays before its code, in `env`. */
async function runNodeStart(env: NodeJS.ProcessEnv): Promise<Sample> {
  const script = "const u = process.resourceUsage(); process.stdout.write(`${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)} ${u.maxRSS}`)";
  const r = await timed(process.execPath, ["-e", script], { env });
  const [cpuMs, maxRssKb] = r.stdout.trim().split(" ").map(Number);
  return { wallMs: r.wallMs, cpuMs, maxRssKb, detail: {} };
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

/** What the analyzer's pre-filter admits on these files, trigger by trigger. */
async function admission(set: FileSet, configText: string): Promise<Admission> {
  const config = parseConfig(configText);
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

/** A tree of its own for the CLI (hard links), with a `.git` so the project root is the tree itself. */
function tree(label: string, files: string[]): FileSet {
  const root = join(WORK, label);
  rmSync(root, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    linkSync(join(ROOT, f), join(root, f));
  }
  execFileSync("git", ["init", "-q", root]);
  return describe(label, root, files);
}

/**
 * nova as a git repository with a change of 100 files on a branch, for `check --base`: every 14th file
 * gets an ordinary function appended, and every tenth of those a late monkey patch, so the review has
 * findings to report and files to parse. A copy, not links: the change must not reach the corpus.
 */
function novaChange(files: string[]): { root: string; changed: number } {
  const root = join(WORK, "nova-change");
  rmSync(root, { recursive: true, force: true });
  const nova = files.filter((f) => f.startsWith("nova/"));
  for (const f of nova) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), readFileSync(join(ROOT, f)));
  }
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.org", ...args], { cwd: root, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "change");
  const step = Math.floor(nova.length / 100);
  let changed = 0;
  for (let i = 0; i < nova.length && changed < 100; i += step, changed++) {
    const path = join(root, nova[i]);
    const patch = changed % 10 === 0 ? "\nimport eventlet\neventlet.monkey_patch()\n" : "";
    writeFileSync(path, `${readFileSync(path, "utf8")}\n\ndef _changed_by_the_bench():\n    return None\n${patch}`);
  }
  git("commit", "-q", "-am", "change");
  return { root, changed };
}

const CORES = availableParallelism();

interface Figure extends Sample {
  runs: number[];
  /** The 1-minute load average before each run. */
  loads: number[];
}

/** The 1-minute load a run may start at: the bench's own last runs (Ruff keeps V8's threads busy) must have died down. */
const SETTLED_LOAD = CORES - 0.5;
const SETTLE_LIMIT_MS = 120_000;

/** Waits until the load average is down to SETTLED_LOAD (at most SETTLE_LIMIT_MS); returns the load then. */
async function settle(): Promise<number> {
  const start = Date.now();
  while (loadavg()[0] > SETTLED_LOAD && Date.now() - start < SETTLE_LIMIT_MS) await new Promise((r) => setTimeout(r, 1000));
  return loadavg()[0];
}

/**
 * Runs each measurement in turn, `runs` rounds (whole processes, alternating), and keeps medians. Each
 * run starts once the load has settled, so the load beside a figure is the machine's, not the bench's.
 */
async function alternate(runs: number, tools: Record<string, () => Promise<Sample>>): Promise<Record<string, Figure>> {
  const samples: Record<string, { s: Sample; load: number }[]> = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, once] of Object.entries(tools)) {
      const load = await settle();
      const s = await once();
      samples[name].push({ s, load });
      log(`  ${name} ${i + 1}/${runs}: ${(s.wallMs / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s CPU, ${(s.maxRssKb / 1024).toFixed(0)} MB (load ${load.toFixed(1)})`);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        wallMs: median(list.map((x) => x.s.wallMs)),
        cpuMs: median(list.map((x) => x.s.cpuMs)),
        maxRssKb: Math.max(...list.map((x) => x.s.maxRssKb)),
        detail: list[list.length - 1].s.detail,
        runs: list.map((x) => Math.round(x.s.wallMs)),
        loads: list.map((x) => Math.round(x.load * 10) / 10),
      },
    ]),
  );
}

function loadNote(f: Figure): string {
  return `load ${Math.min(...f.loads).toFixed(1)}-${Math.max(...f.loads).toFixed(1)}`;
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
  writeFileSync(RUFF_CHILD, RUFF_SOURCE);
  ensureCorpus();
  const flake8Skip = ensureFlake8();
  log("building the CLI (npm run build)");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: TOP, stdio: "inherit" });

  const all = await corpusFiles();
  const stray = readdirSync(ROOT).filter((e) => !MODULES.includes(e) && !e.startsWith(".") && statSync(join(ROOT, e)).isDirectory() && !e.endsWith(".egg-info"));
  if (stray.length) throw new Error(`unexpected directories in ${ROOT}: ${stray.join(", ")}`);
  // The comparison: nova, neutron and cinder (issue 18's 4,633 files), in a tree of their own.
  const cmp = tree("cmp", all.filter((f) => COMPARED.includes(f.split("/")[0])));
  const nova = tree("nova", all.filter((f) => f.startsWith("nova/")));
  const cache = (set: FileSet) => join(set.root, ".eventlet-review-cache");
  log(`compared: ${cmp.files} files, ${cmp.lines} lines, ${(cmp.bytes / 1e6).toFixed(1)} MB (${COMPARED.join(", ")}); nova alone ${nova.files} files`);

  const cold = (set: FileSet, extra: string[] = [], cwd?: string) => () => {
    rmSync(cache(set), { recursive: true, force: true });
    return runAnalysis(set, extra, cwd);
  };
  const tools: Record<string, () => Promise<Sample>> = {
    "eventlet-review check (cold)": cold(cmp),
    "eventlet-review check, all rules (cold)": cold(cmp, ["--config", ALL_RULES_CONFIG]),
    "ruff (wasm), default rules (E4,E7,E9,F)": () => runRuff(cmp),
    "ruff (wasm), E,F,W": () => runRuff(cmp, "E,F,W"),
  };
  if (!opts["no-parse"]) tools["bare parse of every file"] = () => runChild("parse", cmp);
  log(`whole tree, cold: ${Object.keys(tools).join(", ")}; ${RUNS} rounds`);
  const figures = await alternate(RUNS, tools);

  log("nova, a second run over the unchanged tree (the results cache)");
  await runAnalysis(nova, []); // fills the cache
  const rerunName = "eventlet-review check nova (second run)";
  const inheritedName = "the same, NODE_EXTRA_CA_CERTS as inherited";
  const startName = "empty node process";
  const startInheritedName = "empty node process, NODE_EXTRA_CA_CERTS as inherited";
  const rerunTools: Record<string, () => Promise<Sample>> = { [rerunName]: () => runAnalysis(nova, []) };
  if (INHERITED_CA_CERTS !== undefined) {
    const inherited = { ...CHILD_ENV, NODE_EXTRA_CA_CERTS: INHERITED_CA_CERTS };
    rerunTools[inheritedName] = () => runAnalysis(nova, [], undefined, inherited);
    rerunTools[startName] = () => runNodeStart(CHILD_ENV);
    rerunTools[startInheritedName] = () => runNodeStart(inherited);
  }
  const rerunFigures = await alternate(RUNS, rerunTools);
  const rerun = rerunFigures[rerunName];
  log("nova, a review of a 100-file change (check --base main)");
  const change = novaChange(all);
  // Cold: every file of a change is new to the cache anyway, and the facts are computed afresh.
  const changeSet = { ...nova, root: change.root };
  const review = (await alternate(RUNS, { "check --base main (100 files)": cold(changeSet, ["--base", "main"], change.root) }))["check --base main (100 files)"];

  let flake8: Figure | undefined;
  if (!flake8Skip) {
    log("flake8 + hacking");
    flake8 = (await alternate(FLAKE8_RUNS, { flake8: () => runFlake8(cmp) })).flake8;
  } else log(`flake8: ${flake8Skip}`);

  const configText = readFileSync(ALL_RULES_CONFIG, "utf8");
  const admittedAll = await admission(cmp, configText);
  const admittedDefault = await admission(cmp, "");

  const ours = figures["eventlet-review check (cold)"];
  const allRules = figures["eventlet-review check, all rules (cold)"];
  const ruff = figures["ruff (wasm), default rules (E4,E7,E9,F)"];
  const ruffEfw = figures["ruff (wasm), E,F,W"];
  const parse = figures["bare parse of every file"];

  const mb = cmp.bytes / 1e6;
  const widths = [42, 8, 8, 9, 8, 16];
  const out: string[] = [];
  out.push(`Compared: ${cmp.files} files of ${COMPARED.join(", ")}, ${cmp.lines.toLocaleString("en")} lines, ${mb.toFixed(1)} MB; ${CORES} CPUs; medians of ${RUNS} alternating rounds of whole processes.`);
  out.push("");
  out.push(row(["tool", "wall s", "CPU s", "files/s", "peak MB", "load (1 min)"], widths));
  const line = (name: string, f: Figure, files = cmp.files) =>
    out.push(row([name, (f.wallMs / 1000).toFixed(2), (f.cpuMs / 1000).toFixed(2), Math.round(files / (f.wallMs / 1000)), Math.round(f.maxRssKb / 1024), loadNote(f)], widths));
  for (const [name, f] of Object.entries(figures)) line(name, f);
  line("check nova, second run (cache)", rerun, nova.files);
  if (rerunFigures[inheritedName]) line("  the same, NODE_EXTRA_CA_CERTS inherited", rerunFigures[inheritedName], nova.files);
  line(`check --base main, nova, ${change.changed} files`, review, change.changed);
  if (flake8) line("flake8 5.0.4 + hacking 4.1 (-j auto)", flake8);
  out.push("");
  if (rerunFigures[startName]) {
    const start = (name: string) => `${(rerunFigures[name].wallMs / 1000).toFixed(3)} s`;
    out.push(`an empty node process: ${start(startName)}; with this shell's NODE_EXTRA_CA_CERTS=${INHERITED_CA_CERTS}: ${start(startInheritedName)}. Every process above ran without it.`);
  }
  out.push(`eventlet-review reported ${ours.detail.findings} findings (all rules: ${allRules.detail.findings}); ruff ${ruff.detail.diagnostics} diagnostics (E,F,W: ${ruffEfw.detail.diagnostics})${flake8 ? `, flake8 ${flake8.detail.findings}` : ""}.`);
  for (const [label, a] of [["default rules", admittedDefault], ["all rules", admittedAll]] as const) {
    out.push("");
    out.push(`pre-filter, ${label}: ${a.parsed} of ${cmp.files} files parsed (${(a.parsedBytes / 1e6).toFixed(1)} MB); per rule, files a trigger matches -> files the rule's gate admits:`);
    for (const r of a.rules) {
      out.push(`  ${r.id} ${String(r.matched).padStart(5)} -> ${String(r.admitted).padStart(5)}`);
      for (const t of r.triggers) out.push(`      ${String(t.files).padStart(5)}  ${t.trigger}`);
    }
  }
  out.push("");

  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  out.push(`ruff default / check:  ${ratio(ruff.wallMs, ours.wallMs)} wall, ${ratio(ruff.cpuMs, ours.cpuMs)} CPU`);
  out.push(`ruff E,F,W / check:    ${ratio(ruffEfw.wallMs, ours.wallMs)} wall, ${ratio(ruffEfw.cpuMs, ours.cpuMs)} CPU`);
  if (parse) out.push(`check / bare parse:    ${ratio(ours.wallMs, parse.wallMs)} wall, ${ratio(ours.cpuMs, parse.cpuMs)} CPU`);
  out.push("");

  // A verdict needs a quiet machine: with more runnable processes than cores, wall times say little.
  const everything = [...Object.values(figures), rerun, review];
  const busiest = Math.max(...everything.flatMap((f) => f.loads));
  const quiet = busiest <= CORES;
  const verdict = (ok: boolean) => (!quiet ? "BUSY" : ok ? "PASS" : "FAIL");
  const checks: [string, boolean, string][] = [
    ["cold whole tree at least 5x faster than Ruff-wasm (default rules)", ruff.wallMs / ours.wallMs >= 5, ratio(ruff.wallMs, ours.wallMs)],
    ["cold whole tree at least 5x faster than Ruff-wasm (E,F,W)", ruffEfw.wallMs / ours.wallMs >= 5, ratio(ruffEfw.wallMs, ours.wallMs)],
    ["peak RSS of the cold whole tree at most 200 MB", ours.maxRssKb / 1024 <= 200, `${Math.round(ours.maxRssKb / 1024)} MB`],
    ["second run over unchanged nova at most 0.3 s", rerun.wallMs <= 300, `${(rerun.wallMs / 1000).toFixed(2)} s`],
    [`review of a ${change.changed}-file change (--base) on nova under 1 s`, review.wallMs < 1000, `${(review.wallMs / 1000).toFixed(2)} s`],
  ];
  for (const [what, ok, figure] of checks) out.push(`${verdict(ok)}  ${what} (${figure})`);
  if (!quiet) out.push(`No verdict: the load average reached ${busiest.toFixed(1)} on ${CORES} CPUs during the runs; wall times are inflated (compare the CPU column).`);
  process.stdout.write(`${out.join("\n")}\n`);

  writeFileSync(
    opts.json!,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: CORES,
        compared: { files: cmp.files, lines: cmp.lines, bytes: cmp.bytes, packages: COMPARED },
        runs: RUNS,
        figures,
        rerun,
        ...(INHERITED_CA_CERTS !== undefined ? { inheritedCaCerts: { path: INHERITED_CA_CERTS, rerun: rerunFigures[inheritedName], nodeStart: rerunFigures[startName], nodeStartInherited: rerunFigures[startInheritedName] } } : {}),
        review: { ...review, changedFiles: change.changed },
        flake8: flake8 ?? flake8Skip,
        admission: { default: admittedDefault, all: admittedAll },
        busiestLoad: busiest,
        verdicts: Object.fromEntries(checks.map(([what, ok, figure]) => [what, { verdict: verdict(ok), figure }])),
      },
      null,
      2,
    ),
  );
  log(`results: ${opts.json}`);
}

await main();
