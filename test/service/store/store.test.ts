/**
 * The store on both databases: a SQLite file (created with its folder and migrated on open) and a real
 * PostgreSQL cluster started here on a loopback port. The same assertions run on each.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../../src/service/store/store.js";
import type { FeedbackReport, PublishedReview } from "../../../src/platforms/adapter.js";
import { describeWithPostgres, startPostgres, type PostgresServer } from "../../support/postgres-server.js";

const review = (over: Partial<PublishedReview> = {}): PublishedReview => ({
  platform: "github",
  repository: "openstack/nova",
  change: "12",
  revision: "abc123",
  url: "https://github.com/openstack/nova/pull/12",
  installation: 7,
  findings: [
    { rule: "EVL301", fingerprint: "aaaaaaaaaaaaaaaa" },
    { rule: "EVL104", fingerprint: "bbbbbbbbbbbbbbbb" },
  ],
  posted: 2,
  resolved: 0,
  durationMs: 812,
  ...over,
});

const report = (over: Partial<FeedbackReport> = {}): FeedbackReport => ({
  platform: "github",
  repository: "openstack/nova",
  change: "12",
  rule: "EVL301",
  fingerprint: "aaaaaaaaaaaaaaaa",
  who: "alice",
  verdict: "not_useful",
  gesture: "reaction",
  ...over,
});

function suite(open: () => Promise<Store>) {
  let store: Store;
  let clock: Date;
  beforeEach(async () => {
    store = await open();
    clock = new Date("2026-12-01T10:00:00Z");
    (store as unknown as { now: () => Date }).now = () => clock;
  });
  afterEach(async () => {
    await store.close();
  });

  test("migrating twice runs nothing the second time", async () => {
    expect(await store.migrate()).toEqual([]);
  });

  test("feedback is recorded once per person, finding and verdict", async () => {
    await store.recordReview(review());
    expect(await store.recordFeedback(report())).toBe(true);
    expect(await store.recordFeedback(report())).toBe(false); // the same 👎 again
    expect(await store.recordFeedback(report({ gesture: "reply", reason: "this is the Windows branch" }))).toBe(false); // same verdict, another gesture
    expect(await store.recordFeedback(report({ who: "bob", gesture: "reply", reason: "this is the Windows branch" }))).toBe(true);
    expect(await store.recordFeedback(report({ who: "carol", verdict: "useful", rule: "EVL104", fingerprint: "bbbbbbbbbbbbbbbb" }))).toBe(true);
    const stats = await store.ruleStats(30);
    expect(stats).toEqual([
      { rule: "EVL301", findings: 1, useful: 0, notUseful: 2, notUsefulFindings: 1, ratio: 1, reasons: [{ who: "bob", reason: "this is the Windows branch", at: clock.toISOString() }] },
      { rule: "EVL104", findings: 1, useful: 1, notUseful: 0, notUsefulFindings: 0, ratio: 0, reasons: [] },
    ]);
  });

  test("the ratio counts distinct findings of the window; older ones drop out", async () => {
    await store.recordReview(review());
    await store.recordReview(review({ change: "13", findings: [{ rule: "EVL301", fingerprint: "cccccccccccccccc" }] }));
    await store.recordFeedback(report());
    expect((await store.ruleStats(30)).find((s) => s.rule === "EVL301")).toMatchObject({ findings: 2, notUsefulFindings: 1, ratio: 0.5 });
    clock = new Date("2027-01-15T10:00:00Z");
    expect(await store.ruleStats(30)).toEqual([]);
  });

  test("a finding stands while the change's latest review has it", async () => {
    expect(await store.findingStands("github", "openstack/nova", "12", "aaaaaaaaaaaaaaaa")).toBe(true); // nothing known
    await store.recordReview(review());
    expect(await store.findingStands("github", "openstack/nova", "12", "aaaaaaaaaaaaaaaa")).toBe(true);
    clock = new Date("2026-12-01T11:00:00Z");
    await store.recordReview(review({ revision: "def456", findings: [{ rule: "EVL104", fingerprint: "bbbbbbbbbbbbbbbb" }] }));
    expect(await store.findingStands("github", "openstack/nova", "12", "aaaaaaaaaaaaaaaa")).toBe(false);
    expect(await store.ruleOf("github", "openstack/nova", "12", "aaaaaaaaaaaaaaaa")).toBe("EVL301");
  });

  test("recent reviews, newest first, and the changes to poll with their installation", async () => {
    await store.recordReview(review());
    clock = new Date("2026-12-01T10:05:00Z");
    await store.recordReview(review({ platform: "gerrit", repository: "openstack/oslo.service", change: "900", revision: "3", installation: undefined, url: undefined }));
    const recent = await store.recentReviews(50);
    expect(recent.map((r) => [r.platform, r.change, r.findings, r.durationMs])).toEqual([
      ["gerrit", "900", 2, 812],
      ["github", "12", 2, 812],
    ]);
    expect(recent[1]!.url).toBe("https://github.com/openstack/nova/pull/12");
    expect(await store.recentChanges("github", 14)).toEqual([{ repository: "openstack/nova", change: "12", installation: 7 }]);
  });
}

describe("store on SQLite", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "store-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  suite(() => Store.open({ sqlitePath: join(dir, `nested/dir/db-${n++}.sqlite`) }));

  test("the file and its folder are created on open", async () => {
    const path = join(dir, "fresh/eventlet-review.sqlite");
    const store = await Store.open({ sqlitePath: path });
    expect(store.kind).toBe("sqlite");
    expect(existsSync(path)).toBe(true);
    await store.close();
  });

  test("a DATABASE_URL that is not PostgreSQL is refused", async () => {
    await expect(Store.open({ databaseUrl: "mysql://x@y/z" })).rejects.toThrow("DATABASE_URL must be a postgres:// or postgresql:// URL");
  });
});

describeWithPostgres("store on PostgreSQL", () => {
  let pg: PostgresServer;
  let n = 0;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });
  // Each test gets its own database, created through the first.
  suite(async () => {
    const admin = await Store.open({ databaseUrl: pg.url });
    const name = `t${n++}`;
    await (await import("kysely")).sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    await admin.close();
    const store = await Store.open({ databaseUrl: pg.url.replace(/\/postgres$/, `/${name}`) });
    expect(store.kind).toBe("postgres");
    return store;
  });
});
