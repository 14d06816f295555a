/** The REST client against the emulator's HTTP server (real sockets). */
import { createServer, type AddressInfo } from "node:net";
import type { ApiFailure } from "../../../src/platforms/adapter.js";
import { changeId, changeTriplet, GerritClient, GerritHttpError, ResponseTooLarge } from "../../../src/platforms/gerrit/client.js";
import { GerritEmulator } from "./emulator.js";

/** A local port nothing listens on (connections are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let emu: GerritEmulator;
let client: GerritClient;
const errors: ApiFailure[] = [];

beforeAll(async () => {
  emu = new GerritEmulator();
  await emu.start();
  client = new GerritClient({ url: emu.httpUrl, username: emu.username, password: emu.password, backoffMs: 5, onError: (s) => errors.push(s) });
  emu.setBranchFile("open/stack", "stable/2025.1", ".eventlet-review.yaml", "fail_level: warning\n");
  emu.setBranchFile("open/stack", "stable/2025.1", "pkg/a b.py", "x = 1\n");
});
afterAll(() => emu.stop());

describe("GerritClient", () => {
  test("authenticates on /a/, strips the XSSI prefix, encodes project, branch and path", async () => {
    const change = emu.createChange({ project: "open/stack", branch: "stable/2025.1", files: { "pkg/a b.py": "x = 2\ny = 3\n" }, emit: false });
    expect(await client.selfAccount()).toMatchObject({ username: emu.username });
    const id = changeId("open/stack", change.number);
    expect(id).toBe(`open%2Fstack~${change.number}`);
    const info = await client.getChange(id);
    expect(info).toMatchObject({ project: "open/stack", branch: "stable/2025.1", _number: change.number, status: "NEW" });
    expect(info.revisions![info.current_revision!]._number).toBe(1);
    // The triplet form names the same change.
    expect((await client.getChange(changeTriplet("open/stack", "stable/2025.1", change.changeId)))._number).toBe(change.number);
    const files = await client.listFiles(id, 1);
    expect(Object.keys(files)).toEqual(["/COMMIT_MSG", "pkg/a b.py"]);
    expect(new TextDecoder().decode(await client.fileContent(id, 1, "pkg/a b.py"))).toBe("x = 2\ny = 3\n");
    expect(await client.fileContent(id, 1, "pkg/missing.py")).toBeUndefined();
    const diff = await client.fileDiff(id, 1, "pkg/a b.py");
    expect(diff.content).toEqual([{ a: ["x = 1"], b: ["x = 2", "y = 3"] }]);
    expect(new TextDecoder().decode(await client.branchFileContent("open/stack", "stable/2025.1", ".eventlet-review.yaml"))).toBe("fail_level: warning\n");
    const paths = emu.requests.slice(-4).map((r) => r.path);
    expect(paths).toContain(`/a/changes/open%2Fstack~${change.number}/revisions/1/files/pkg%2Fa%20b.py/diff`);
    expect(paths).toContain("/a/projects/open%2Fstack/branches/stable%2F2025.1/files/.eventlet-review.yaml/content");
  });

  test("wrong credentials are a 401 GerritHttpError, not retried", async () => {
    const bad = new GerritClient({ url: emu.httpUrl, username: emu.username, password: "wrong", backoffMs: 5 });
    const before = emu.requests.length;
    await expect(bad.selfAccount()).rejects.toMatchObject({ name: "GerritHttpError", status: 401 });
    expect(emu.requests.length).toBe(before + 1);
  });

  test("5xx and 429 are retried with backoff; 404 and 409 are not", async () => {
    errors.length = 0;
    emu.failNext("GET", /^\/a\/accounts\/self$/, 502, 1);
    emu.failNext("GET", /^\/a\/accounts\/self$/, 429, 1, "Too many requests");
    const fresh = new GerritClient({ url: emu.httpUrl, username: emu.username, password: emu.password, backoffMs: 5, onError: (s) => errors.push(s) });
    expect((await fresh.selfAccount())._account_id).toBe(emu.bot._account_id);
    expect(errors).toEqual(["http:502", "http:429"]);
    await expect(client.getChange("open%2Fstack~999")).rejects.toBeInstanceOf(GerritHttpError);
    emu.failNext("POST", /\/review$/, 409, 5, "change is closed");
    const c = emu.createChange({ project: "open/stack", files: { "z.py": "z = 1\n" }, emit: false });
    const before = emu.requests.length;
    await expect(client.postReview(changeId("open/stack", c.number), 1, { message: "x" })).rejects.toMatchObject({ status: 409, body: "change is closed" });
    expect(emu.requests.length).toBe(before + 1);
  });

  test("network failures end in a TransientError that names the cause, and are counted as such", async () => {
    const failures: ApiFailure[] = [];
    const port = await closedPort();
    const dead = new GerritClient({ url: `http://127.0.0.1:${port}`, username: "u", password: "p", attempts: 2, backoffMs: 5, onError: (f) => failures.push(f) });
    const error = (await dead.selfAccount().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: "TransientError" });
    // undici says only "fetch failed"; the cause says why.
    expect(error.message).toMatch(new RegExp(`failed after 2 attempts: fetch failed \\(ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`));
    expect(failures).toEqual(["network:ECONNREFUSED", "network:ECONNREFUSED"]);
  });

  test("an unknown host is counted as dns", async () => {
    const failures: ApiFailure[] = [];
    const dead = new GerritClient({ url: "http://gerrit.invalid", username: "u", password: "p", attempts: 1, onError: (f) => failures.push(f) });
    const error = (await dead.selfAccount().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/fetch failed \((ENOTFOUND|EAI_AGAIN): getaddrinfo \w+ gerrit\.invalid\)/);
    expect(failures).toEqual(["dns"]);
  });

  test("a content fetch with a limit stops reading past it: an endless body is cut off, a declared size is refused unread", async () => {
    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(new TextEncoder().encode("QUFB".repeat(16 * 1024)));
          },
        }),
        { status: 200 },
      );
    const capped = new GerritClient({ url: "http://gerrit.invalid", username: "u", password: "p", fetch: async () => endless() });
    await expect(capped.fileContent("p~1", 1, "big.py", 1024 * 1024)).rejects.toBeInstanceOf(ResponseTooLarge);
    // 1 MiB of content is about 1.4 MB of base64: about 22 chunks of 64 KiB, not the endless rest.
    expect(pulled).toBeLessThan(40);

    let bodyRead = false;
    const declared = new GerritClient({
      url: "http://gerrit.invalid",
      username: "u",
      password: "p",
      fetch: async () =>
        new Response(new ReadableStream({ pull: (c) => ((bodyRead = true), c.enqueue(new Uint8Array(10)), c.close()) }, { highWaterMark: 0 }), {
          status: 200,
          headers: { "Content-Length": String(50 * 1024 * 1024) },
        }),
    });
    await expect(declared.fileContent("p~1", 1, "big.py", 1024 * 1024)).rejects.toMatchObject({ name: "ResponseTooLarge", size: 50 * 1024 * 1024 });
    expect(bodyRead).toBe(false);
    // Without a limit, or under it, the bytes come back.
    const small = new GerritClient({ url: "http://gerrit.invalid", username: "u", password: "p", fetch: async () => new Response(Buffer.from("x = 1\n").toString("base64")) });
    expect(Buffer.from((await small.fileContent("p~1", 1, "a.py", 10))!).toString()).toBe("x = 1\n");
    await expect(small.fileContent("p~1", 1, "a.py", 3)).rejects.toBeInstanceOf(ResponseTooLarge);
  });

  test("queries follow _more_changes pages", async () => {
    const all = await client.queryChanges("status:open", ["CURRENT_REVISION"], 1);
    expect(all.length).toBe(emu.changes.size);
    expect(new Set(all.map((c) => c._number)).size).toBe(all.length);
  });
});
