/**
 * Docker cannot run in this test environment, so the image's invariants are checked in the Dockerfile
 * itself: a current LTS base pinned by digest, reproducible installs, production dependencies only,
 * a non-root user, and writes only where a read-only root filesystem allows them.
 */
import { readFileSync } from "node:fs";

const text = readFileSync("Dockerfile", "utf8");
// Continuation lines joined, comments dropped: one instruction a line.
const instructions = text
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const args = new Map(instructions.filter((l) => l.startsWith("ARG ")).map((l) => l.slice(4).split("=") as [string, string]));
const resolve = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? "");
const stages: string[][] = [];
for (const l of instructions) {
  if (l.startsWith("FROM ")) stages.push([resolve(l)]);
  else stages.at(-1)?.push(l);
}
const runtime = stages.at(-1)!;

test("every stage starts from Node 24 (the current LTS) pinned by digest", () => {
  expect(stages).toHaveLength(3);
  for (const [from] of stages) expect(from).toMatch(/^FROM node:24-bookworm-slim@sha256:[0-9a-f]{64}( AS \w+)?$/);
});

test("installs are npm ci from the lock: production dependencies only for the runtime, no install scripts", () => {
  const installs = instructions.filter((l) => /\bnpm (ci|install|i)\b|\$\{NPM_INSTALL\}/.test(l));
  expect(installs.length).toBe(2);
  expect(args.get("NPM_INSTALL")).toBe("ci");
  for (const l of installs) expect(l).toContain("--ignore-scripts");
  const deps = stages.find(([from]) => from.endsWith(" AS deps"))!;
  expect(deps.some((l) => l.includes("--omit=dev"))).toBe(true);
  // Only the runtime's native module gets its install script back.
  expect(deps.join("\n")).toMatch(/npm rebuild better-sqlite3\b/);
  expect(runtime.some((l) => /\bnpm\b/.test(l) && !l.startsWith("COPY"))).toBe(false);
});

test("the runtime runs as an unprivileged user and writes only to its volume (read-only root friendly)", () => {
  const user = runtime.filter((l) => l.startsWith("USER "));
  expect(user).toEqual(["USER node"]);
  expect(runtime.indexOf("USER node")).toBeLessThan(runtime.findIndex((l) => l.startsWith("CMD ")));
  const volume = runtime.find((l) => l.startsWith("VOLUME "))!.slice(7).trim();
  expect(volume).toBe("/app/eventlet-review-state");
  // Everything the service writes is in the volume: the Gerrit cursor file and the SQLite store.
  const env = runtime.filter((l) => l.startsWith("ENV ")).join(" ");
  expect(env).toContain(`GERRIT_STATE_FILE=${volume}/gerrit.json`);
  expect(env).toContain(`DATABASE_PATH=${volume}/eventlet-review.sqlite`);
  // Code and dependencies are root's: the service cannot change them.
  for (const l of runtime.filter((x) => x.startsWith("COPY "))) expect(l).toContain("--chown=root:root");
  // The only RUN creates the volume's directory for the service's user.
  expect(runtime.filter((l) => l.startsWith("RUN "))).toEqual([`RUN mkdir -p ${volume} && chown node:node ${volume}`]);
});

test("only the webhook port is exposed; /metrics is not opened to the network by the image", () => {
  expect(runtime.filter((l) => l.startsWith("EXPOSE "))).toEqual(["EXPOSE 3000"]);
  expect(runtime.join("\n")).not.toMatch(/METRICS_(HOST|PORT|TOKEN)=/);
});
