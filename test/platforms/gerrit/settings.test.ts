import { projectMatcher, readGerritSettings, redactToken } from "../../../src/platforms/gerrit/settings.js";
import { decideEvent, parseEventLine } from "../../../src/platforms/gerrit/events.js";

const base = {
  GERRIT_URL: "https://review.example.org/",
  GERRIT_USERNAME: "eventlet-bot",
  GERRIT_HTTP_PASSWORD: "secret-password",
  GERRIT_SSH_KEY_PATH: "/keys/id",
  GERRIT_SSH_KNOWN_HOSTS: "/keys/known_hosts",
};

describe("GERRIT_* settings", () => {
  test("off without GERRIT_URL, defaults otherwise", () => {
    expect(readGerritSettings({ GERRIT_USERNAME: "x" })).toBeUndefined();
    expect(readGerritSettings({ GERRIT_URL: "  " })).toBeUndefined();
    const s = readGerritSettings(base)!;
    expect(s).toMatchObject({
      url: "https://review.example.org",
      events: "ssh",
      label: "Verified",
      projects: [],
      ssh: { host: "review.example.org", port: 29418, user: "eventlet-bot" },
    });
  });

  test.each([
    [{ GERRIT_URL: "review.example.org" }, /^GERRIT_URL must be an http\(s\) URL/],
    [{ GERRIT_USERNAME: undefined }, /^GERRIT_USERNAME is required/],
    [{ GERRIT_HTTP_PASSWORD: "" }, /^GERRIT_HTTP_PASSWORD is required/],
    [{ GERRIT_EVENTS: "poll" }, /^GERRIT_EVENTS must be ssh or webhook/],
    [{ GERRIT_SSH_PORT: "22x" }, /^GERRIT_SSH_PORT /],
    [{ GERRIT_SSH_PORT: "70000" }, /^GERRIT_SSH_PORT /],
    [{ GERRIT_SSH_KNOWN_HOSTS: undefined }, /^GERRIT_SSH_KNOWN_HOSTS is required when GERRIT_EVENTS=ssh/],
    [{ GERRIT_EVENTS: "webhook" }, /^GERRIT_WEBHOOK_TOKEN is required when GERRIT_EVENTS=webhook/],
    [{ GERRIT_EVENTS: "webhook", GERRIT_WEBHOOK_TOKEN: "short" }, /^GERRIT_WEBHOOK_TOKEN must be at least 16 characters/],
    [{ GERRIT_RECHECK_REGEX: "(" }, /^GERRIT_RECHECK_REGEX is not a valid regular expression/],
    [{ GERRIT_NOTIFY: "everyone" }, /^GERRIT_NOTIFY must be NONE, OWNER, OWNER_REVIEWERS or ALL$/],
    [{ GERRIT_RECONCILE_SECONDS: "-1" }, /^GERRIT_RECONCILE_SECONDS /],
  ])("%j is refused with the variable's name", (extra, message) => {
    const env = { ...base, ...extra } as NodeJS.ProcessEnv;
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
    expect(() => readGerritSettings(env)).toThrow(message);
    try {
      readGerritSettings(env);
    } catch (error) {
      expect((error as Error).message).not.toContain("secret-password");
      expect((error as Error).message).not.toContain("\n");
    }
  });

  test("ssh user, port, label, projects and webhook mode", () => {
    const s = readGerritSettings({
      ...base,
      GERRIT_EVENTS: "webhook",
      GERRIT_WEBHOOK_TOKEN: "0123456789abcdef0123",
      GERRIT_SSH_USER: "streamer",
      GERRIT_SSH_PORT: "2222",
      GERRIT_LABEL: "Eventlet",
      GERRIT_PROJECTS: "openstack/nova, openstack/oslo.*,,",
    })!;
    expect(s.events).toBe("webhook");
    expect(s.ssh).toMatchObject({ user: "streamer", port: 2222 });
    expect(s.label).toBe("Eventlet");
    const allowed = projectMatcher(s.projects);
    expect(["openstack/nova", "openstack/oslo.messaging", "openstack/neutron", "x/nova"].map(allowed)).toEqual([true, true, false, false]);
  });

  test("the token is redacted from URLs and text", () => {
    const token = "0123456789abcdef0123";
    expect(redactToken(`POST /gerrit/events/${token}?x=1`, token)).toBe("POST /gerrit/events/<redacted>?x=1");
    expect(redactToken(`token=${token}`, token)).toBe("token=<redacted>");
  });
});

describe("recheck command", () => {
  const re = readGerritSettings(base)!.recheck;
  test.each([
    ["Patch Set 3:\n\neventlet-review recheck", true],
    ["eventlet-review recheck", true],
    ["Patch Set 3: Code-Review+1\n\neventlet-review recheck", true],
    ["Patch Set 12: Code-Review-1 Workflow+1\n\nEVENTLET-REVIEW RECHECK please", true],
    // Zuul's word re-runs every Zuul job: it is not ours by default.
    ["recheck", false],
    ["Patch Set 3:\n\nrecheck", false],
    ["Patch Set 3: Code-Review+1\n\nrecheck", false],
    ["Patch Set 3:\n\neventlet-review rechecked", false],
    ["Patch Set 3:\n\nplease do not eventlet-review recheck", false],
    ["Patch Set 3:\n\n(2 comments)\n\neventlet-review recheck", false],
  ])("%j → %s", (text, expected) => {
    expect(re.test(text)).toBe(expected);
  });

  test("GERRIT_RECHECK_BARE=true adds Zuul's bare word; GERRIT_RECHECK_REGEX adds the operator's, never replacing ours", () => {
    const bare = readGerritSettings({ ...base, GERRIT_RECHECK_BARE: "true" })!.recheck;
    expect(["Patch Set 3: Code-Review+1\n\nrecheck", "recheck", "eventlet-review recheck", "Build failed.\n\nrecheck"].map((t) => bare.test(t))).toEqual([true, true, true, false]);
    const own = readGerritSettings({ ...base, GERRIT_RECHECK_REGEX: String.raw`^(Patch Set \d+:)?\s*check eventlet` })!.recheck;
    expect(["Patch Set 3:\n\ncheck eventlet", "eventlet-review recheck", "recheck"].map((t) => own.test(t))).toEqual([true, true, false]);
    expect(() => readGerritSettings({ ...base, GERRIT_RECHECK_BARE: "yes" })).toThrow(/^GERRIT_RECHECK_BARE must be true or false$/);
  });
});

describe("event decisions", () => {
  const settings = readGerritSettings(base)!;
  const all = () => true;
  const change = { project: "openstack/nova", branch: "master", id: "I1", number: 42, status: "NEW" };

  test("patchset-created becomes a job keyed by type, change, patch set and time", () => {
    const d = decideEvent({ type: "patchset-created", change, patchSet: { number: 3, kind: "REWORK" }, eventCreatedOn: 1700000000 }, settings, all);
    expect(d).toEqual({
      job: {
        eventId: "patchset-created:42:3:1700000000",
        platform: "gerrit",
        repository: "openstack/nova",
        change: "42",
        revision: "3",
        payload: { project: "openstack/nova", branch: "master", number: 42, patchSet: 3, trigger: "patchset-created" },
      },
    });
  });

  test.each(["TRIVIAL_REBASE", "NO_CODE_CHANGE", "NO_CHANGE"])("%s becomes a rebase job (a vote check, no comments)", (kind) => {
    const d = decideEvent({ type: "patchset-created", change, patchSet: { number: 3, kind }, eventCreatedOn: 5 }, settings, all);
    expect(d).toHaveProperty("job.payload", { project: "openstack/nova", branch: "master", number: 42, patchSet: 3, trigger: "rebase", kind });
  });

  test("webhook payloads with an object project still read change.project; merged changes and other events are skipped", () => {
    const d = decideEvent({ type: "patchset-created", project: { name: "openstack/nova" }, change: { ...change, project: undefined }, patchSet: { number: 1 } }, settings, all);
    expect(d).toHaveProperty("job.repository", "openstack/nova");
    expect(decideEvent({ type: "patchset-created", change: { ...change, status: "MERGED" }, patchSet: { number: 1 } }, settings, all)).toHaveProperty("skip");
    expect(decideEvent({ type: "ref-updated" }, settings, all)).toHaveProperty("skip");
    expect(decideEvent({ type: "dropped-output" }, settings, all)).toEqual({ catchUp: true });
  });

  test("comment-added: recheck by a person is a recheck job, by the bot (HTTP or SSH name) nothing", () => {
    const ev = (username: string) => ({ type: "comment-added", change, patchSet: { number: 2 }, author: { username }, comment: "Patch Set 2:\n\neventlet-review recheck", eventCreatedOn: 1 });
    expect(decideEvent(ev("alice"), settings, all)).toHaveProperty("job.recheck", true);
    expect(decideEvent(ev("alice"), settings, all)).toHaveProperty("job.payload.requester", { username: "alice" });
    expect(decideEvent(ev("alice"), settings, all)).toHaveProperty("job.payload.requestedAt", 1);
    expect(decideEvent(ev("eventlet-bot"), settings, all)).toHaveProperty("skip");
    expect(decideEvent(ev("eventlet-bot"), { ...settings, username: "http-name", ssh: { ...settings.ssh, user: "eventlet-bot" } }, all)).toHaveProperty("skip");
  });

  test("malformed lines throw for the caller to log", () => {
    expect(() => parseEventLine("{nope")).toThrow();
    expect(() => parseEventLine("[1,2]")).toThrow("not a Gerrit event");
    expect(parseEventLine('{"type":"x"}').type).toBe("x");
  });
});

describe("documentation", () => {
  test(".env.example's Gerrit section is valid once the secrets are filled in, and README lists every variable", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(".env.example", "utf8");
    const env: Record<string, string> = {};
    for (const line of example.split("\n")) {
      // GERRIT_URL ships commented out (the switch that turns the bot on): read it too.
      const m = /^(?:# )?(GERRIT_[A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]] = m[2];
    }
    expect(Object.keys(env).sort()).toEqual(
      ["GERRIT_URL", "GERRIT_USERNAME", "GERRIT_HTTP_PASSWORD", "GERRIT_EVENTS", "GERRIT_SSH_HOST", "GERRIT_SSH_PORT", "GERRIT_SSH_USER", "GERRIT_SSH_KEY_PATH", "GERRIT_SSH_KNOWN_HOSTS", "GERRIT_WEBHOOK_TOKEN", "GERRIT_LABEL", "GERRIT_PROJECTS", "GERRIT_RECHECK_REGEX", "GERRIT_RECHECK_BARE", "GERRIT_NOTIFY", "GERRIT_NOTIFY_NOTHING_NEW", "GERRIT_STATE_FILE", "GERRIT_RECONCILE_SECONDS"].sort(),
    );
    expect(example).toMatch(/^# GERRIT_URL=/m);
    const { GERRIT_URL: _url, ...copiedAsIs } = env;
    expect(readGerritSettings(copiedAsIs)).toBeUndefined(); // a copied .env leaves the bot off
    expect(() => readGerritSettings(env)).toThrow(/^GERRIT_HTTP_PASSWORD is required$/);
    const s = readGerritSettings({ ...env, GERRIT_HTTP_PASSWORD: "x" })!;
    expect(s).toMatchObject({ events: "ssh", label: "Verified", projects: ["openstack/*"], ssh: { user: "eventlet-review", port: 29418 } });
    const readme = readFileSync("README.md", "utf8");
    const gerrit = readme.slice(readme.indexOf("## Gerrit bot"));
    for (const name of Object.keys(env)) expect([name, gerrit.includes(name)]).toEqual([name, true]);
  });
});
