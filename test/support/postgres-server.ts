/**
 * A throwaway PostgreSQL cluster (Debian's postgresql package: initdb + postgres) on a free loopback
 * port, for the store's PostgreSQL tests. PostgreSQL refuses to run as root: as root the cluster is
 * made and run as the `postgres` user (runuser). Missing binaries: the tests skip with a clear message
 * locally and fail in CI (CI=1), where .ci/run installs the package.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./redis-server.js";

function binDir(): string | undefined {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, "bin") : undefined;
}

export function postgresAvailable(): boolean {
  return binDir() !== undefined;
}

export function describeWithPostgres(name: string, fn: () => void): void {
  if (postgresAvailable() || process.env.CI) {
    describe(name, fn);
  } else {
    console.warn(`skipping "${name}": PostgreSQL not found under /usr/lib/postgresql (apt-get install postgresql)`);
    describe.skip(name, fn);
  }
}

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  if (!bin) throw new Error("PostgreSQL not found: apt-get install -y postgresql (CI's .ci/run does)");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const data = join(dir, "data");
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) => (asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]) as [string, string[]];
  const [initCmd, initArgs] = run(join(bin, "initdb"), ["-D", data, "-U", "test", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  execFileSync(initCmd, initArgs, { stdio: "ignore" });
  const port = await freePort();
  const [cmd, args] = run(join(bin, "postgres"), ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", dir, "-c", "fsync=off"]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let exited = false;
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.once("exit", () => (exited = true));
  const url = `postgres://test@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  while (!exited && Date.now() < deadline) {
    try {
      execFileSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      return {
        url,
        stop: async () => {
          if (!exited) {
            const [stopCmd, stopArgs] = run(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"]);
            try {
              execFileSync(stopCmd, stopArgs, { stdio: "ignore" });
            } catch {
              child.kill("SIGKILL");
            }
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`postgres did not start: ${stderr.slice(-500)}`);
}
