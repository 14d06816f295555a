/** The pure pieces: environment checks, the recheck command, who may ask, the fallback line diff. */
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { parseConfig, defaultConfig } from "../../../src/config/load.js";
import { createGithubAdapter } from "../../../src/platforms/github/index.js";
import { isRecheckCommand, recheckRefusal, reviewJob } from "../../../src/platforms/github/events.js";
import { addedLinesBetween } from "../../../src/diff/line-diff.js";
import { githubSettings } from "../../../src/platforms/github/settings.js";
import { noopHooks, type ApiFailure } from "../../../src/platforms/adapter.js";
import { apiErrorReporting, isTransient } from "../../../src/platforms/github/octokit.js";
import { MemoryQueue, PRIVATE_KEY, appEnv, silentLogger } from "./helpers.js";

describe("githubSettings", () => {
  test("undefined when the App is not configured at all", async () => {
    expect(githubSettings({ PORT: "3000", GERRIT_URL: "https://review.example.org" })).toBeUndefined();
    expect(await createGithubAdapter({}, { queue: new MemoryQueue(), logger: silentLogger, hooks: noopHooks })).toBeUndefined();
  });

  test("a complete environment; GHE_HOST builds Probot's base URL", () => {
    expect(githubSettings(appEnv())).toMatchObject({ appId: 4242, webhookSecret: "It's a Secret to Everybody", webhookPath: "/api/github/webhooks", baseUrl: undefined });
    expect(githubSettings(appEnv({ GHE_HOST: "github.example.com" }))?.baseUrl).toBe("https://github.example.com/api/v3");
    expect(githubSettings(appEnv({ GHE_HOST: "10.0.0.5:8443", GHE_PROTOCOL: "http" }))?.baseUrl).toBe("http://10.0.0.5:8443/api/v3");
  });

  test("the private key from one line with \\n escapes, from base64, or from a file", () => {
    const oneLine = PRIVATE_KEY.replace(/\n/g, "\\n");
    expect(githubSettings(appEnv({ PRIVATE_KEY: oneLine }))?.privateKey).toBe(PRIVATE_KEY);
    expect(githubSettings(appEnv({ PRIVATE_KEY: Buffer.from(PRIVATE_KEY).toString("base64") }))?.privateKey).toBe(PRIVATE_KEY);
    const dir = mkdtempSync(join(tmpdir(), "evl-key-"));
    writeFileSync(join(dir, "app.pem"), PRIVATE_KEY);
    expect(githubSettings({ ...appEnv(), PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(dir, "app.pem") })?.privateKey).toBe(PRIVATE_KEY);
  });

  test.each([
    [{ APP_ID: "abc" }, /^APP_ID must be the GitHub App's numeric id$/],
    [{ APP_ID: "" }, /^APP_ID is not set/],
    [{ WEBHOOK_SECRET: "" }, /^WEBHOOK_SECRET is not set/],
    [{ PRIVATE_KEY: "not a key" }, /^PRIVATE_KEY is not a PEM private key$/],
    [{ PRIVATE_KEY: "", PRIVATE_KEY_PATH: "/nonexistent/key.pem" }, /^PRIVATE_KEY_PATH does not name a readable file$/],
    [{ PRIVATE_KEY: "" }, /^PRIVATE_KEY or PRIVATE_KEY_PATH must be set/],
    [{ GHE_HOST: "https://github.example.com" }, /^GHE_HOST must be a host name/],
    [{ GHE_HOST: "github.example.com", GHE_PROTOCOL: "ftp" }, /^GHE_PROTOCOL must be "http" or "https"$/],
    [{ WEBHOOK_PATH: "hooks" }, /^WEBHOOK_PATH must start with \//],
  ])("%j is an error naming the variable", (extra, message) => {
    expect(() => githubSettings(appEnv(extra as Record<string, string>))).toThrow(message);
  });

  test("a misconfigured App makes the factory throw (the service prints it and exits)", async () => {
    await expect(createGithubAdapter(appEnv({ APP_ID: "x" }), { queue: new MemoryQueue(), logger: silentLogger, hooks: noopHooks })).rejects.toThrow("APP_ID");
  });
});

describe("the recheck command", () => {
  test.each([
    ["/eventlet-review recheck", true],
    ["  /Eventlet-Review   RECHECK  ", true],
    ["looks good\n\n/eventlet-review recheck\n", true],
    ["@eventlet-review-test recheck", true],
    ["@other-bot recheck", false],
    ["/eventlet-review recheck please", false],
    ["> /eventlet-review recheck", false],
    ["please /eventlet-review recheck", false],
    ["recheck", false],
  ])("%j → %s", (body, expected) => {
    expect(isRecheckCommand(body, "eventlet-review-test")).toBe(expected);
  });

  test("who may ask: the author and write, maintain or admin by default; the config names the roles", () => {
    const config = defaultConfig();
    expect(recheckRefusal(config, "octocat", "none", "octocat")).toBeUndefined();
    expect(recheckRefusal(config, "OctoCat", "none", "octocat")).toBeUndefined();
    for (const role of ["write", "maintain", "admin"] as const) expect(recheckRefusal(config, "someone", role, "octocat")).toBeUndefined();
    expect(recheckRefusal(config, "someone", "read", "octocat")).toBe(
      "only the pull request's author and people with the write, maintain, admin role on this repository may ask for a recheck; @someone has the read role",
    );
    expect(recheckRefusal(config, "someone", "none", "octocat")).toMatch(/@someone has no role$/);
    const adminsOnly = parseConfig("github:\n  recheck_allowed: [admin]\n");
    expect(recheckRefusal(adminsOnly, "octocat", "write", "octocat")).toBeDefined();
    expect(recheckRefusal(adminsOnly, "boss", "admin", "octocat")).toBeUndefined();
    expect(() => parseConfig("github:\n  recheck_allowed: [MEMBER]\n")).toThrow("github.recheck_allowed");
  });
});

describe("addedLinesBetween", () => {
  test("insertions, replacements and appends", () => {
    expect(addedLinesBetween("a\nb\nc\n", "a\nx\nb\nc\ny\n")).toEqual([2, 5]);
    expect(addedLinesBetween("a\nb\nc\n", "a\nB\nc\n")).toEqual([2]);
    expect(addedLinesBetween("", "a\nb\n")).toEqual([1, 2]);
    expect(addedLinesBetween("a\nb\n", "a\n")).toEqual([]);
    expect(addedLinesBetween("a\r\nb\r\n", "a\nb\n")).toEqual([]);
  });

  test("matches a brute-force longest common subsequence on random inputs", () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let t = 0; t < 300; t++) {
      const a = Array.from({ length: rand(12) }, () => "xyz"[rand(3)]);
      const b = Array.from({ length: rand(12) }, () => "xyz"[rand(3)]);
      const added = addedLinesBetween(a.join("\n"), b.join("\n"));
      const kept = b.filter((_, i) => !added.includes(i + 1));
      let k = 0;
      for (const line of a) if (k < kept.length && kept[k] === line) k++;
      expect(k).toBe(kept.length); // what is not "added" is a common subsequence…
      const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
      expect(kept.length).toBe(dp[a.length][b.length]); // …and a longest one
    }
  });

  test("past the edit budget every new line counts as added", () => {
    expect(addedLinesBetween("a\nb\nc\nd\n", "w\nx\ny\nz\n", 2)).toEqual([1, 2, 3, 4]);
  });
});

describe("app.yml", () => {
  test("subscribes to every event the handlers use, with least privilege", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    const { PULL_REQUEST_EVENTS } = await import("../../../src/platforms/github/app.js");
    const manifest = parse(readFileSync(new URL("../../../app.yml", import.meta.url), "utf8")) as {
      default_events: string[];
      default_permissions: Record<string, string>;
      hook_attributes?: unknown;
    };
    const used = new Set([...PULL_REQUEST_EVENTS.map((e) => e.split(".")[0]), "issue_comment", "check_run", "check_suite", "pull_request_review_comment", "pull_request_review_thread"]);
    expect(new Set(manifest.default_events)).toEqual(used);
    expect(manifest.default_permissions).toEqual({ pull_requests: "write", checks: "write", contents: "read", issues: "read", metadata: "read" });
    // Probot's registration page spreads the manifest last: a hook URL here would override WEBHOOK_PROXY_URL.
    expect(manifest.hook_attributes).toBeUndefined();
  });
});

describe("reviewJob", () => {
  const pr = { number: 7, head: { sha: "b".repeat(40) }, base: { sha: "a".repeat(40) } };

  test("orders pushes by the pull request's updated_at, so a late webhook of an older push is stale in the queue", () => {
    const older = reviewJob("d1", 1, "o", "r", { ...pr, updated_at: "2026-11-24T01:00:00Z" }, "pull_request.synchronize", false);
    const newer = reviewJob("d2", 1, "o", "r", { ...pr, head: { sha: "c".repeat(40) }, updated_at: "2026-11-24T01:00:05Z" }, "pull_request.synchronize", false);
    expect(newer.revisionOrder! - older.revisionOrder!).toBe(5000);
  });

  test("no order when the payload has no usable updated_at", () => {
    expect(reviewJob("d3", 1, "o", "r", pr, "check_suite.rerequested", true)).not.toHaveProperty("revisionOrder");
    expect(reviewJob("d4", 1, "o", "r", { ...pr, updated_at: "not a date" }, "x", false)).not.toHaveProperty("revisionOrder");
  });
});

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe("apiErrorReporting", () => {
  test("a request that got no answer is counted by its cause, not as Octokit's HTTP 500", async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const failures: ApiFailure[] = [];
    const Client = Octokit.plugin(apiErrorReporting({ apiError: (_p, failure) => void failures.push(failure) }));
    const octokit = new Client({ baseUrl: `http://127.0.0.1:${port}`, auth: "t", log: quiet });
    const error = await octokit.rest.apps.getAuthenticated().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500 }); // what @octokit/request says
    expect(failures).toEqual(["network:ECONNREFUSED"]);
    expect(isTransient(error)).toBe(true);
  });

  test("an HTTP answer is counted by its status", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"message":"boom"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const failures: ApiFailure[] = [];
      const Client = Octokit.plugin(apiErrorReporting({ apiError: (_p, failure) => void failures.push(failure) }));
      const octokit = new Client({ baseUrl: `http://127.0.0.1:${port}`, auth: "t", log: quiet });
      await expect(octokit.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 500 });
      expect(failures).toEqual(["http:500"]);
    } finally {
      server.close();
    }
  });
});
