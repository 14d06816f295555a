/** The REST client against the emulator's HTTP server (real sockets). */
import { createServer, type AddressInfo } from "node:net";
import type { ApiFailure } from "../../../src/platforms/adapter.js";
import { changeId, changeTriplet, GerritClient, GerritHttpError } from "../../../src/platforms/gerrit/client.js";
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

  test("queries follow _more_changes pages", async () => {
    const all = await client.queryChanges("status:open", ["CURRENT_REVISION"], 1);
    expect(all.length).toBe(emu.changes.size);
    expect(new Set(all.map((c) => c._number)).size).toBe(all.length);
  });
});
