import { RETIRED, retiredEventletApi, verdict } from "../../src/rules/EVL503-retired-eventlet-api.js";
import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { versionsIn, type TrackedPackage, type VersionFact } from "../../src/facts/versions.js";
import { ruleTester } from "../support/rule-tester.js";

const HEARTBEAT = "from oslo_config import cfg\ncfg.CONF.set_override('heartbeat_in_pthread', True, group='oslo_messaging_rabbit')\n";
const EXECUTOR = "import oslo_messaging\nserver = oslo_messaging.get_rpc_server(transport, target, endpoints, executor='eventlet')\n";
const BACKDOOR = "from oslo_service import eventlet_backdoor\n";
const req = (line: string) => ({ "requirements.txt": `pbr>=6.0.0\n${line}\n` });

const ucs = (line: string) => ({ "upper-constraints.txt": `${line}\n` });

ruleTester(retiredEventletApi, {
  valid: [
    { name: "heartbeat_in_pthread where the range stops before its deprecation (<14.9.0)", files: req("oslo.messaging>=14.0.0,<14.9.0"), code: HEARTBEAT },
    { name: "heartbeat_in_pthread at a 12.x pin: deprecated in 12.6.0, undeprecated in 12.11.0, so nothing", files: ucs("oslo.messaging===12.13.3"), code: HEARTBEAT },
    { name: "the eventlet executor pinned before 16.0.0", files: ucs("oslo.messaging===15.1.0"), code: EXECUTOR },
    { name: "oslo.service modules where the range stops before 4.1.0", files: req("oslo.service>=3.4.0,<4.1.0"), code: BACKDOOR },
    { name: "executor='threading' outside oslo.messaging's factories", files: req("oslo.messaging>=16.0.0"), code: "pool.submit(job, executor='threading')\n" },
    { name: "a docstring that names the option", files: req("oslo.messaging>=18.0.0"), code: '"""heartbeat_in_pthread"""\n' },
    { name: "other oslo_service modules", files: req("oslo.service>=4.2.0"), code: "from oslo_service import service, loopingcall\n" },
    {
      name: "oslo_service.wsgi itself is no longer deprecated: its Loader, Router and options are fine",
      files: req("oslo.service>=4.2.0"),
      code: "from oslo_service import wsgi\nimport oslo_service.wsgi\nloader = wsgi.Loader(CONF)\nwsgi.register_opts(CONF)\n",
    },
    {
      name: "a series whose upper-constraints predate the deprecation (tox.ini names yoga)",
      files: { ...req("oslo.messaging>=12.0.0"), "tox.ini": "[testenv]\ndeps =\n  -c{env:TOX_CONSTRAINTS_FILE:https://releases.openstack.org/constraints/upper/yoga}\n" },
      code: HEARTBEAT,
    },
  ],
  invalid: [
    {
      name: "heartbeat_in_pthread in an open range from 14.1.0: removed in 18.0.0, which the requirements allow",
      files: req("oslo.messaging>=14.1.0 # Apache-2.0"),
      code: HEARTBEAT,
      errors: [
        {
          line: 2,
          severity: "warning",
          message:
            "the heartbeat_in_pthread option is deprecated in oslo.messaging 14.9.0 and removed in 18.0.0, which your requirements allow (oslo.messaging >= 14.1.0 at requirements.txt:2): remove the option",
        },
      ],
    },
    {
      name: "heartbeat_in_pthread in a range that stops below the removal: deprecated, and the upper bound says so",
      files: req("oslo.messaging>=14.9.0,<18.0.0"),
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "warning", message: "deprecated in oslo.messaging 14.9.0, at or below the floor of your requirements; your requirements stop below its removal in 18.0.0 (oslo.messaging >= 14.9.0, < 18.0.0 at requirements.txt:2)" }],
    },
    {
      name: "heartbeat_in_pthread in a range from before the deprecation to below the removal",
      files: req("oslo.messaging>=14.1.0,<17.0.0"),
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "warning", message: "deprecated in oslo.messaging 14.9.0, which your requirements allow; your requirements stop below its removal in 18.0.0" }],
    },
    {
      name: "heartbeat_in_pthread pinned at 17.3.0: deprecated",
      files: { "upper-constraints.txt": "oslo.messaging===17.3.0\n" },
      code: "conf = dict(heartbeat_in_pthread=True)\n",
      errors: [{ line: 1, severity: "warning", message: "and this project pins oslo.messaging 17.3.0 (upper-constraints.txt:1)" }],
    },
    {
      name: "heartbeat_in_pthread with a floor at 18.0.0: removed, at or below the floor",
      files: req("oslo.messaging>=18.0.0"),
      code: HEARTBEAT + "enabled = cfg.CONF.oslo_messaging_rabbit.heartbeat_in_pthread\n",
      errors: [
        { line: 2, severity: "error", message: "removed in oslo.messaging 18.0.0, at or below the floor of your requirements (oslo.messaging >= 18.0.0 at requirements.txt:2)" },
        { line: 3, severity: "error" },
      ],
    },
    {
      name: "a stable series named by tox.ini pins what its branch runs",
      files: { ...req("oslo.messaging>=12.0.0"), "tox.ini": "[testenv]\ndeps =\n  -c{env:TOX_CONSTRAINTS_FILE:https://releases.openstack.org/constraints/upper/2025.1}\n  -r{toxinidir}/requirements.txt\n" },
      code: EXECUTOR,
      errors: [{ line: 2, severity: "warning", message: "and this project pins oslo.messaging 16.1.2 (upper-constraints of 2025.1, named by tox.ini:3)" }],
    },
    {
      name: "master's upper-constraints (a moving snapshot) only cap the range: a removal below the cap is a warning",
      files: { ...req("oslo.messaging>=14.1.0"), "tox.ini": "[testenv]\ndeps =\n  -c{env:TOX_CONSTRAINTS_FILE:https://releases.openstack.org/constraints/upper/master}\n" },
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "warning", message: "removed in 18.0.0, which your requirements allow (oslo.messaging >= 14.1.0, <= 18.2.0 at requirements.txt:2, capped by the upper-constraints of master named by tox.ini:3)" }],
    },
    {
      name: "master's cap with a floor at the removal is still an error at the floor",
      files: { ...req("oslo.messaging>=18.0.0"), "tox.ini": "deps = -c https://releases.openstack.org/constraints/upper/master\n" },
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "error", message: "at or below the floor of your requirements" }],
    },
    {
      name: "a stable branch's .gitreview names the series when tox.ini does not",
      files: { ...req("oslo.messaging>=14.1.0"), ".gitreview": "[gerrit]\nhost=review.example.org\nproject=openstack/teapot.git\ndefaultbranch=stable/2026.1\n" },
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "warning", message: "pins oslo.messaging 17.3.0 (upper-constraints of 2026.1, named by .gitreview:4)" }],
    },
    {
      name: "unknown version: info with a hint to pin it",
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "info", message: "pin it under `versions:`" }],
    },
    {
      name: "the eventlet executor from 16.0.0, by keyword and by position",
      files: req("oslo.messaging>=16.0.0"),
      code: EXECUTOR + "listener = oslo_messaging.get_notification_listener(transport, targets, endpoints, 'eventlet')\n",
      errors: [
        { line: 2, severity: "warning", message: "executor='eventlet' is deprecated in oslo.messaging 16.0.0, at or below the floor of your requirements" },
        { line: 3, severity: "warning", message: "drop the executor argument" },
      ],
    },
    {
      name: "the eventlet executor in a range that reaches 16.0.0",
      files: req("oslo.messaging>=15.0.0"),
      code: EXECUTOR,
      errors: [{ line: 2, severity: "warning", message: "deprecated in oslo.messaging 16.0.0, which your requirements allow (oslo.messaging >= 15.0.0 at requirements.txt:2)" }],
    },
    {
      name: "16.0.0 deprecates the executor parameter itself: executor='threading' in the factories too",
      files: req("oslo.messaging>=16.0.0"),
      code: "import oslo_messaging\nserver = oslo_messaging.get_rpc_server(transport, target, endpoints, executor='threading')\nlistener = oslo_messaging.get_notification_listener(transport, targets, endpoints, 'threading')\n",
      errors: [
        { line: 2, severity: "warning", message: "executor='threading' is deprecated in oslo.messaging 16.0.0" },
        { line: 3, severity: "warning", message: "threading is the only executor that stays" },
      ],
    },
    {
      name: "oslo.service modules from 4.1.0, in every import form (warnings: no removal release yet)",
      files: req("oslo.service>=5.0.0"),
      code: "from oslo_service import eventlet_backdoor\nimport oslo_service.sslutils\nfrom oslo_service.wsgi import Server\nfrom oslo_service import fixture as svc_fixture\n",
      errors: [
        { line: 1, severity: "warning", message: "import of oslo_service.eventlet_backdoor is deprecated in oslo.service 4.1.0" },
        { line: 2, severity: "warning", message: "oslo_service.sslutils" },
        { line: 3, severity: "warning", message: "uwsgi" },
        { line: 4, severity: "warning", message: "import of oslo_service.fixture is deprecated" },
      ],
    },
    {
      name: "uses of the eventlet WSGI Server through a module import",
      files: req("oslo.service>=4.1.0"),
      code: "from oslo_service import wsgi as base_wsgi\nloader = base_wsgi.Loader(CONF)\nserver = base_wsgi.Server(CONF, 'api', app)\n",
      errors: [{ line: 3, column: 10, severity: "warning", message: "oslo_service.wsgi.Server is deprecated in oslo.service 4.1.0" }],
    },
    {
      name: "a version pinned in the config wins over the requirement files and the series",
      files: { ...req("oslo.messaging>=14.0.0"), "tox.ini": "deps = -c https://releases.openstack.org/constraints/upper/2024.2\n" },
      config: { versions: { "oslo.messaging": "18.0.0" } },
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "error", message: "oslo.messaging 18.0.0 (.eventlet-review.yaml)" }],
    },
  ],
});

/** A pin, as upper-constraints.txt would give it. */
function pin(version: string, pkg: TrackedPackage = "oslo.messaging"): VersionFact {
  return versionsIn("upper-constraints.txt", `${pkg}===${version}\n`)[0];
}

describe("verdict boundaries", () => {
  test.each([
    ["14.8.9", undefined],
    ["14.9.0", "warning"],
    ["17.99.0", "warning"],
    ["18.0.0", "error"],
  ])("heartbeat_in_pthread at oslo.messaging %s", (version, severity) => {
    expect(verdict(RETIRED.heartbeat_in_pthread, pin(version))?.severity).toBe(severity);
  });

  test.each([
    ["15.99", undefined],
    ["16.0.0", "warning"],
    ["30.0.0", "warning"],
  ])("the eventlet executor at oslo.messaging %s", (version, severity) => {
    expect(verdict(RETIRED["eventlet-executor"], pin(version))?.severity).toBe(severity);
  });

  test.each([
    ["4.0.9", undefined],
    ["4.1.0", "warning"],
  ])("oslo.service modules at %s", (version, severity) => {
    expect(verdict(RETIRED["oslo_service-module"], pin(version, "oslo.service"))?.severity).toBe(severity);
  });

  test.each([
    [">=14.1.0", "warning"],
    [">=14.1.0,<14.9.0", undefined],
    [">=14.1.0,<=14.9.0", "warning"],
    [">=14.1.0,<18.0.0", "warning"],
    [">=14.1.0,<=18.0.0", "warning"],
    [">=18.0.0", "error"],
    ["~=17.1", "warning"],
    ["~=17.1.0", "warning"],
    ["~=18.1", "error"],
  ])("heartbeat_in_pthread under the range %s", (spec, severity) => {
    const fact = versionsIn("requirements.txt", `oslo.messaging${spec}\n`)[0];
    expect(verdict(RETIRED.heartbeat_in_pthread, fact)?.severity).toBe(severity);
  });

  test("the upper bound decides between 'which your requirements allow' and 'stop below its removal'", () => {
    const open = versionsIn("requirements.txt", "oslo.messaging>=14.1.0\n")[0];
    const capped = versionsIn("requirements.txt", "oslo.messaging>=14.1.0,<=17.99\n")[0];
    expect(verdict(RETIRED.heartbeat_in_pthread, open)?.status).toContain("removed in 18.0.0, which your requirements allow");
    expect(verdict(RETIRED.heartbeat_in_pthread, capped)?.status).toContain("stop below its removal in 18.0.0 (oslo.messaging >= 14.1.0, <= 17.99 at requirements.txt:1)");
  });

  test("a configured severity overrides the version's", async () => {
    const config = configSchema.parse({ rules: { EVL503: "info" } });
    const analyzer = new Analyzer(config, new MemoryProjectFiles(req("oslo.messaging>=18.0.0")), [retiredEventletApi]);
    const { findings } = await analyzer.analyzeText("pkg/mod.py", HEARTBEAT);
    expect(findings.map((f) => f.severity)).toEqual(["info"]);
  });
});

describe("a file where only top-level imports can hold a finding (Rule.importsOnly)", () => {
  const files = req("oslo.service>=4.2.0\noslo.messaging>=18.0.0");
  const long = "def helper():\n    return 1\n\n".repeat(200);
  const cases: [string, string, boolean][] = [
    ["a retired import on line 1 of a long module", `from oslo_service import fixture  # the fixture\n${long}`, true],
    ["parenthesized, continued over lines, with a noqa", `import os\nfrom oslo_service import (loopingcall,  # noqa: EVL503\n    sslutils)\n${long}`, true],
    ["no retired import at all (a trigger matched in code that does nothing)", `x = oslo_service.fixture_like\n${long}`, true],
    ["an indented import as well", `from oslo_service import fixture\ndef f():\n    from oslo_service import sslutils\n${long}`, false],
    ["after a semicolon", `x = 1; import oslo_service.eventlet_backdoor\n${long}`, false],
    ["the wsgi module, whose Server is found among attributes", `from oslo_service import wsgi\nserver = wsgi.Server(app)\n${long}`, false],
    ["an executor name in a string", `from oslo_service import fixture\nget_rpc_server(t, tg, e, executor='eventlet')\n${long}`, false],
    ["the heartbeat option", `from oslo_service import fixture\nheartbeat_in_pthread = True\n${long}`, false],
  ];

  test.each(cases)("%s", async (_name, code, importsOnly) => {
    const gate = { path: "pkg/tests/test_x.py", text: code } as Parameters<NonNullable<typeof retiredEventletApi.importsOnly>>[0];
    expect(retiredEventletApi.importsOnly!(gate)).toBe(importsOnly);
    // The same findings as from a parse of the whole file.
    const whole = { ...retiredEventletApi, importsOnly: undefined };
    const config = configSchema.parse({});
    const analyze = (rule: typeof retiredEventletApi) => new Analyzer(config, new MemoryProjectFiles(files), [rule]).analyzeText("pkg/tests/test_x.py", code);
    const [ours, theirs] = [await analyze(retiredEventletApi), await analyze(whole)];
    expect(ours).toEqual(theirs);
  });

  test("the imports found are the findings: at their statements, and a noqa on the statement's line holds", async () => {
    const code = cases[1][1];
    const analyzer = new Analyzer(configSchema.parse({}), new MemoryProjectFiles(files), [retiredEventletApi]);
    expect((await analyzer.analyzeText("pkg/tests/test_x.py", cases[0][1])).findings.map((f) => `${f.line}:${f.column}`)).toEqual(["1:1"]);
    expect((await analyzer.analyzeText("pkg/tests/test_x.py", code)).findings).toEqual([]);
  });
});
