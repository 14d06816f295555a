/**
 * `npm run loadtest [-- --redis] [--prs N] [--pushes N]`: the service (dist/, as `npm start` runs it) in
 * child processes against a fake GitHub API on loopback; a bounded burst of signed webhooks for many pull
 * requests, with redeliveries and rapid pushes. Checks that every pull request got exactly one review for
 * its latest head and that no revision was reviewed twice, no finding commented twice; prints throughput,
 * p50/p95 latency and peak memory. `--redis`: two instances on one redis-server, one killed (SIGKILL)
 * mid-burst; webhooks it would have taken go to the other, as a load balancer would send them.
 *
 * The fake GitHub holds the installation to GitHub's secondary limit (80 content-creating requests in
 * any minute, 403 with retry-after past it). Targets (issue 15): every latest head reviewed exactly once
 * within 120 s of the burst's end, no secondary-limit 403, at most 2 writes per review on average.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePort, redisAvailable, startRedis, type RedisServer } from "../test/support/redis-server.js";
import { GITHUB_LIMITS } from "../src/platforms/github/limits.js";
import { BASE_SHA, FakeGithub, INSTALLATION_ID, OWNER, REPO, headSha } from "./loadtest-fake-github.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "dist/service/main.js");

const { values: args } = parseArgs({
  options: {
    redis: { type: "boolean", default: false },
    prs: { type: "string", default: "40" },
    pushes: { type: "string", default: "5" },
    "writes-per-minute": { type: "string", default: String(GITHUB_LIMITS.writesPerMinute) },
    "target-s": { type: "string", default: "120" },
    redeliveries: { type: "string", default: "0.3" },
    concurrency: { type: "string", default: "4" },
    "api-latency-ms": { type: "string", default: "5" },
    "fault-rate": { type: "string", default: "0.02" },
    "timeout-s": { type: "string", default: "300" },
    "log-level": { type: "string", default: "warn" },
    dump: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  process.stdout.write(
    "npm run loadtest -- [--redis] [--prs 40] [--pushes 5] [--redeliveries 0.3] [--concurrency 4] [--api-latency-ms 5] [--fault-rate 0.02] [--writes-per-minute 80] [--target-s 120] [--timeout-s 300] [--log-level warn]\n",
  );
  process.exit(0);
}
const PRS = Number(args.prs);
const PUSHES = Number(args.pushes);
const REDELIVERY_RATE = Number(args.redeliveries);
const WEBHOOK_SECRET = `loadtest-${randomUUID()}`;
const IN_FLIGHT = 32;

interface Instance {
  name: string;
  child: ChildProcess;
  url: string;
  alive: boolean;
  exited: Promise<number | null>;
  peakRssKb: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Peak resident memory of a process (VmHWM), in kB. */
function peakRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function startInstance(name: string, env: Record<string, string>, logDir: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(join(logDir, `${name}.log`));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const instance: Instance = { name, child, url: `http://127.0.0.1:${port}`, alive: true, exited, peakRssKb: 0 };
  void exited.then(() => {
    instance.alive = false;
  });
  const deadline = Date.now() + 180_000; // a busy machine starts slowly
  for (;;) {
    if (!instance.alive) throw new Error(`${name} exited during start; see ${join(logDir, `${name}.log`)}`);
    const ready = await fetch(`${instance.url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return instance;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 180 s`);
    await sleep(100);
  }
}

interface Delivery {
  id: string;
  pr: number;
  rev: number;
  body: string;
  redelivery: boolean;
  at: number;
}

function pullRequestPayload(pr: number, rev: number, pushedAt: number): string {
  const head = headSha(pr, rev);
  const payload = {
    action: rev === 1 ? "opened" : "synchronize",
    number: pr,
    ...(rev > 1 ? { before: headSha(pr, rev - 1), after: head } : {}),
    pull_request: {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${pr}`,
      id: 1000 + pr,
      number: pr,
      state: "open",
      locked: false,
      title: `Load test PR ${pr}`,
      user: { login: "octocat", id: 1, type: "User" },
      draft: false,
      // GitHub's resolution: seconds. The push time, for an App that passes it on as revisionOrder.
      updated_at: new Date(Math.floor(pushedAt / 1000) * 1000).toISOString().replace(".000Z", "Z"),
      head: { label: `${OWNER}:pr-${pr}`, ref: `pr-${pr}`, sha: head, repo: { id: 1, name: REPO, full_name: `${OWNER}/${REPO}` } },
      base: { label: `${OWNER}:main`, ref: "main", sha: BASE_SHA, repo: { id: 1, name: REPO, full_name: `${OWNER}/${REPO}` } },
      author_association: "MEMBER",
    },
    repository: { id: 1, node_id: "R_1", name: REPO, full_name: `${OWNER}/${REPO}`, private: false, owner: { login: OWNER, id: 2, type: "Organization" } },
    installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" },
    sender: { login: "octocat", id: 1, type: "User" },
  };
  return JSON.stringify(payload);
}

/** The burst: every PR gets `pushes` revisions well under a second apart (rapid pushes); some deliveries come twice. */
function schedule(): Delivery[] {
  const out: Delivery[] = [];
  const window = Math.max(1000, PRS * 25);
  for (let pr = 1; pr <= PRS; pr++) {
    let at = Math.random() * window;
    for (let rev = 1; rev <= PUSHES; rev++) {
      const id = randomUUID();
      const body = pullRequestPayload(pr, rev, Date.now() + at);
      out.push({ id, pr, rev, body, redelivery: false, at });
      if (Math.random() < REDELIVERY_RATE) out.push({ id, pr, rev, body, redelivery: true, at: at + 20 + Math.random() * 600 });
      // Pushes of one PR are sequential: GitHub orders its webhooks no better than the service can, and
      // SHAs carry no order, so the last delivery stands for the newest revision.
      at += 250 + Math.random() * 500;
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function post(url: string, d: Delivery): Promise<number> {
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(d.body).digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/github/webhooks`,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(d.body),
          "X-GitHub-Event": "pull_request",
          "X-GitHub-Delivery": d.id,
          "X-Hub-Signature-256": signature,
          "User-Agent": "GitHub-Hookshot/loadtest",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(d.body);
  });
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm run loadtest does)`);
  const mode = args.redis ? "redis" : "memory";
  const logDir = mkdtempSync(join(tmpdir(), "eventlet-review-loadtest-"));
  const github = new FakeGithub({
    latencyMs: Number(args["api-latency-ms"]),
    faultRate: Number(args["fault-rate"]),
    writesPerMinute: Number(args["writes-per-minute"]),
  });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ghe = await github.start();
  let redis: RedisServer | undefined;
  if (args.redis) {
    if (!redisAvailable()) throw new Error("--redis needs /usr/bin/redis-server (apt-get install -y redis-server)");
    redis = await startRedis();
  }
  const env: Record<string, string> = {
    APP_ID: "1",
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    WEBHOOK_SECRET,
    GHE_HOST: ghe,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: String(args["log-level"]),
    QUEUE_CONCURRENCY: String(args.concurrency),
    QUEUE_RETRY_DELAY_MS: "200",
    QUEUE_RETRY_MAX_DELAY_MS: "2000",
    QUEUE_LOCK_MS: "3000",
    SHUTDOWN_TIMEOUT_MS: "5000",
    ...(redis ? { REDIS_URL: redis.url, QUEUE_PREFIX: `loadtest-${randomUUID().slice(0, 8)}` } : {}),
  };
  const instances: Instance[] = [];
  try {
    instances.push(await startInstance("a", env, logDir));
    if (args.redis) instances.push(await startInstance("b", env, logDir));

    const deliveries = schedule();
    const killAfter = args.redis ? Math.floor(deliveries.length * 0.4) : Infinity;
    const firstSent = new Map<string, number>(); // delivery id → first send time
    const statuses = new Map<number, number>();
    let sent = 0;
    let retriedElsewhere = 0;
    let next = 0;
    const sampler = setInterval(() => {
      for (const i of instances) if (i.alive) i.peakRssKb = Math.max(i.peakRssKb, peakRss(i.child.pid));
    }, 200);

    const t0 = performance.now();
    const fire = async (d: Delivery) => {
      const wait = d.at - (performance.now() - t0);
      if (wait > 0) await sleep(wait);
      if (!d.redelivery) github.push(d.pr, d.rev); // the push reaches GitHub before its webhook
      if (!firstSent.has(d.id)) firstSent.set(d.id, performance.now());
      for (let attempt = 0; ; attempt++) {
        const alive = instances.filter((i) => i.alive);
        const target = alive[(d.pr + attempt) % alive.length]!;
        try {
          const status = await post(target.url, d);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          break;
        } catch (err) {
          // The instance died under the request: the load balancer tries the next instance at once. (A
          // later resend could overtake the PR's next push: SHAs carry no order, so the queue would then
          // take the older head for the newer one. See the README.)
          if (attempt >= 5) throw err;
          retriedElsewhere++;
        }
      }
      sent++;
      if (sent === killAfter) {
        const victim = instances[0]!;
        victim.peakRssKb = Math.max(victim.peakRssKb, peakRss(victim.child.pid));
        victim.child.kill("SIGKILL");
        victim.alive = false;
        process.stdout.write(`killed instance ${victim.name} (SIGKILL) after ${sent} of ${deliveries.length} webhooks\n`);
      }
    };
    const workers = Array.from({ length: IN_FLIGHT }, async () => {
      while (next < deliveries.length) await fire(deliveries[next++]!);
    });
    await Promise.all(workers);
    const sendSeconds = (performance.now() - t0) / 1000;

    // Wait until every PR has a review at its latest head and the queues are empty, then a little longer
    // so that a late duplicate would still show up.
    const deadline = Date.now() + Number(args["timeout-s"]) * 1000;
    const done = () => {
      for (let pr = 1; pr <= PRS; pr++) {
        const latest = headSha(pr, github.head(pr)!);
        if (!github.reviews.some((r) => r.pr === pr && r.commitId === latest)) return false;
      }
      return true;
    };
    const queuesEmpty = async () => {
      for (const i of instances.filter((x) => x.alive)) {
        const text = await fetch(`${i.url}/metrics`).then((r) => r.text());
        for (const state of ["waiting", "delayed", "active"]) {
          const m = new RegExp(`^eventlet_review_queue_jobs\\{state="${state}"\\} (\\d+)`, "m").exec(text);
          if (m && Number(m[1]) > 0) return false;
        }
      }
      return true;
    };
    while (!(done() && (await queuesEmpty()))) {
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    const allReviewedAt = performance.now();
    await sleep(args.redis ? 4000 : 1500);
    clearInterval(sampler);
    for (const i of instances) if (i.alive) i.peakRssKb = Math.max(i.peakRssKb, peakRss(i.child.pid));

    // Checks.
    const problems: string[] = [];
    const latencies: number[] = [];
    const byDelivery = new Map(deliveries.filter((d) => !d.redelivery).map((d) => [`${d.pr}:${d.rev}`, d.id]));
    for (let pr = 1; pr <= PRS; pr++) {
      const latestRev = github.head(pr)!;
      const latest = headSha(pr, latestRev);
      const reviews = github.reviews.filter((r) => r.pr === pr);
      const atLatest = reviews.filter((r) => r.commitId === latest);
      if (atLatest.length !== 1) problems.push(`PR ${pr}: ${atLatest.length} reviews for its latest head (revision ${latestRev})`);
      const commits = reviews.map((r) => r.commitId);
      if (new Set(commits).size !== commits.length) problems.push(`PR ${pr}: a revision was reviewed twice`);
      const bodies = reviews.flatMap((r) => r.comments.map((c) => `${c.path}:${c.line}`));
      if (new Set(bodies).size !== bodies.length) problems.push(`PR ${pr}: a finding was commented twice`);
      const expected = new Set(Array.from({ length: latestRev }, (_, j) => `pr${pr}/mod_${j + 1}.py:1`));
      for (const key of expected) if (!bodies.includes(key)) problems.push(`PR ${pr}: no comment on ${key}`);
      const sentAt = firstSent.get(byDelivery.get(`${pr}:${latestRev}`)!);
      if (atLatest[0] && sentAt !== undefined) latencies.push(atLatest[0].at - sentAt);
    }
    const sorted = latencies.sort((a, b) => a - b);
    const nonOk = [...statuses].filter(([s]) => s < 200 || s >= 300);
    if (nonOk.length) problems.push(`webhooks answered with ${nonOk.map(([s, n]) => `${n}× ${s}`).join(", ")}`);

    const metricsText = await Promise.all(instances.filter((i) => i.alive).map((i) => fetch(`${i.url}/metrics`).then((r) => r.text())));
    const sum = (name: string, labels: string) =>
      metricsText.reduce((total, text) => {
        const m = new RegExp(`^${name}\\{${labels}\\} (\\d+)`, "m").exec(text);
        return total + (m ? Number(m[1]) : 0);
      }, 0);

    // Orderly stop of the survivors.
    for (const i of instances.filter((x) => x.alive)) i.child.kill("SIGTERM");
    const codes = await Promise.all(instances.filter((i) => i.name !== "a" || !args.redis).map((i) => i.exited));
    if (codes.some((c) => c !== 0)) problems.push(`an instance exited with ${codes.join(", ")} on SIGTERM`);

    const totalSeconds = (allReviewedAt - t0) / 1000;
    const afterBurst = totalSeconds - sendSeconds;
    if (afterBurst > Number(args["target-s"])) problems.push(`the last latest head was reviewed ${afterBurst.toFixed(0)} s after the burst (target ${args["target-s"]} s)`);
    if (github.secondaryLimited > 0) problems.push(`GitHub answered ${github.secondaryLimited} secondary-rate-limit 403s`);
    const reviewedHeads = [...github.checkRuns.values()].filter((r) => r.status === "completed").map((r) => r.headSha);
    const totalWrites = [...github.writesByHead.values()].reduce((a, b) => a + b, 0) + github.otherWrites;
    // A write that the fake answered with an injected 502 is sent again: that resend is the fault's cost.
    const faulted = [...github.faultsByHead.values()].reduce((a, b) => a + b, 0);
    const writesPerReview = (totalWrites - faulted) / Math.max(1, new Set(reviewedHeads).size);
    if (writesPerReview > 2) problems.push(`${writesPerReview.toFixed(2)} writes per review on average (target at most 2)`);
    const latestWrites = Array.from({ length: PRS }, (_, k) => github.writesByHead.get(headSha(k + 1, github.head(k + 1)!)) ?? 0);
    const unique = deliveries.filter((d) => !d.redelivery).length;
    const staleRuns = [...github.checkRuns.values()].filter((r) => r.status !== "completed").length;
    const lines = [
      `mode: ${mode}${args.redis ? " (2 instances, one killed mid-burst)" : " (1 instance)"}, QUEUE_CONCURRENCY=${args.concurrency}, fake API latency ${args["api-latency-ms"]} ms, injected 502s: ${github.faults}`,
      `webhooks: ${deliveries.length} sent (${unique} pushes for ${PRS} PRs × ${PUSHES}, ${deliveries.length - unique} redeliveries) in ${sendSeconds.toFixed(1)} s = ${(deliveries.length / sendSeconds).toFixed(0)}/s; ${retriedElsewhere} resent after a dead instance`,
      `jobs (surviving instances): accepted ${sum("eventlet_review_jobs_submitted_total", 'platform="github",result="accepted"')}, duplicate ${sum("eventlet_review_jobs_submitted_total", 'platform="github",result="duplicate"')}; completed ${sum("eventlet_review_jobs_total", 'platform="github",outcome="completed"')}, superseded ${sum("eventlet_review_jobs_total", 'platform="github",outcome="superseded"')}, retried ${sum("eventlet_review_jobs_total", 'platform="github",outcome="retried"')}, dead letters ${sum("eventlet_review_jobs_total", 'platform="github",outcome="dead_letter"')}`,
      `reviews: ${github.reviews.length} posted for ${PRS} PRs; all latest heads reviewed ${totalSeconds.toFixed(1)} s after the first webhook, ${afterBurst.toFixed(1)} s after the burst = ${(PRS / totalSeconds).toFixed(2)} PRs/s (${((PRS / totalSeconds) * 60).toFixed(0)} a minute); check runs left in progress: ${staleRuns}`,
      `writes: ${totalWrites} content-creating requests (${faulted} of them answered with an injected 502 and sent again) for ${new Set(reviewedHeads).size} reviewed heads = ${writesPerReview.toFixed(2)} per review without the resends (latest heads: ${(latestWrites.reduce((a, b) => a + b, 0) / PRS).toFixed(2)} with them); peak ${github.peakWritesPerMinute} in a minute (limit ${args["writes-per-minute"]}), ${github.peakInFlight} requests in flight at most (limit 100); secondary-limit 403s: ${github.secondaryLimited}`,
      `latency, latest push's webhook → its review: p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms`,
      `GitHub API requests: ${[...github.requests].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`,
      `  (the installation's write budget, shared through Redis, bounds reviews a minute: at 2 writes a review, 40 a minute)`,
      `peak RSS: ${instances.map((i) => `${i.name} ${(i.peakRssKb / 1024).toFixed(0)} MB`).join(", ")}`,
      `logs: ${logDir}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (args.dump) {
      for (const r of github.reviews) {
        const rev = Array.from({ length: PUSHES }, (_, k) => k + 1).find((k) => headSha(r.pr, k) === r.commitId);
        process.stdout.write(`  review PR ${r.pr} at revision ${rev}: ${r.comments.map((c) => `${c.path}:${c.line}`).join(" ")}\n`);
      }
    }
    if (problems.length) {
      process.stdout.write(`FAIL (${problems.length}):\n${problems.slice(0, 30).map((p) => `  ${p}`).join("\n")}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write("PASS: every PR got exactly one review for its latest head; no revision reviewed twice, no finding commented twice\n");
    }
  } finally {
    for (const i of instances) if (i.alive) i.child.kill("SIGKILL");
    await github.stop();
    await redis?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`loadtest: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
