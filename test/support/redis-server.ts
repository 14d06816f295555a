/**
 * A throwaway redis-server on a free loopback port, for the tests of the Redis mode. Missing binary:
 * the tests skip with a clear message locally, and fail in CI (CI=1), where .ci/run installs it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";

export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER);
}

/** `describe` when redis-server exists or in CI (where its absence must fail), else `describe.skip`. */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisAvailable() || process.env.CI) {
    describe(name, fn);
  } else {
    console.warn(`skipping "${name}": ${REDIS_SERVER} not found (apt-get install redis-server)`);
    describe.skip(name, fn);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** The redis-server process (SIGSTOP makes a Redis that accepts and never answers). */
  pid: number;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    // A server with requirepass answers NOAUTH: it is up all the same.
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** `password`: the server requires AUTH (`--requirepass`), and `url` carries it as `redis://:<password>@`. */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  if (!redisAvailable()) {
    throw new Error(`${REDIS_SERVER} not found: install it (apt-get install -y redis-server); CI's .ci/run does`);
  }
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      REDIS_SERVER,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...(options.password ? ["--requirepass", options.password] : [])],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) {
      if (await ping(port)) {
        return {
          url: options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
          port,
          pid: child.pid!,
          stop: () =>
            new Promise<void>((resolve) => {
              if (exited) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGCONT");
              child.kill("SIGKILL");
            }),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
  }
  throw new Error("redis-server did not start");
}
