import { RETIRED, retiredEventletApi, verdict } from "../../src/rules/EVL503-retired-eventlet-api.js";
import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { ruleTester } from "../helpers/rule-tester.js";

const HEARTBEAT = "from oslo_config import cfg\ncfg.CONF.set_override('heartbeat_in_pthread', True, group='oslo_messaging_rabbit')\n";
const EXECUTOR = "import oslo_messaging\nserver = oslo_messaging.get_rpc_server(transport, target, endpoints, executor='eventlet')\n";
const BACKDOOR = "from oslo_service import eventlet_backdoor\n";
const req = (line: string) => ({ "requirements.txt": `pbr>=6.0.0\n${line}\n` });

ruleTester(retiredEventletApi, {
  valid: [
    { name: "heartbeat_in_pthread before its deprecation (14.8.x)", files: req("oslo.messaging>=14.8.1"), code: HEARTBEAT },
    { name: "the eventlet executor before 16.0.0", files: req("oslo.messaging>=15.0.0"), code: EXECUTOR },
    { name: "oslo.service modules before 4.1.0", files: req("oslo.service>=4.0.0"), code: BACKDOOR },
    { name: "a threading executor", files: req("oslo.messaging>=16.0.0"), code: EXECUTOR.replace("eventlet", "threading") },
    { name: "a docstring that names the option", files: req("oslo.messaging>=18.0.0"), code: '"""heartbeat_in_pthread"""\n' },
    { name: "other oslo_service modules", files: req("oslo.service>=4.2.0"), code: "from oslo_service import service, loopingcall\n" },
    {
      name: "oslo_service.wsgi itself is no longer deprecated: its Loader, Router and options are fine",
      files: req("oslo.service>=4.2.0"),
      code: "from oslo_service import wsgi\nimport oslo_service.wsgi\nloader = wsgi.Loader(CONF)\nwsgi.register_opts(CONF)\n",
    },
  ],
  invalid: [
    {
      name: "heartbeat_in_pthread at 14.9.0: deprecated",
      files: req("oslo.messaging>=14.9.0 # Apache-2.0"),
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "warning", message: "deprecated in oslo.messaging 14.9.0 and removed in 18.0.0, and this project uses oslo.messaging >= 14.9.0 (requirements.txt:2)" }],
    },
    {
      name: "heartbeat_in_pthread at 17.3.0: still deprecated",
      files: { "upper-constraints.txt": "oslo.messaging===17.3.0\n" },
      code: "conf = dict(heartbeat_in_pthread=True)\n",
      errors: [{ line: 1, severity: "warning", message: "oslo.messaging 17.3.0 (upper-constraints.txt:1)" }],
    },
    {
      name: "heartbeat_in_pthread at 18.0.0: removed",
      files: req("oslo.messaging>=18.0.0"),
      code: HEARTBEAT + "enabled = cfg.CONF.oslo_messaging_rabbit.heartbeat_in_pthread\n",
      errors: [
        { line: 2, severity: "error", message: "removed in oslo.messaging 18.0.0" },
        { line: 3, severity: "error" },
      ],
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
        { line: 2, severity: "warning", message: "executor='eventlet' is deprecated in oslo.messaging 16.0.0" },
        { line: 3, severity: "warning", message: "executor='threading'" },
      ],
    },
    {
      name: "oslo.service modules from 4.1.0, in every import form (warnings: no removal release yet)",
      files: req("oslo.service>=5.0.0"),
      code: "from oslo_service import eventlet_backdoor\nimport oslo_service.sslutils\nfrom oslo_service.wsgi import Server\nfrom oslo_service import fixtures as svc_fixtures\n",
      errors: [
        { line: 1, severity: "warning", message: "import of oslo_service.eventlet_backdoor is deprecated in oslo.service 4.1.0" },
        { line: 2, severity: "warning", message: "oslo_service.sslutils" },
        { line: 3, severity: "warning", message: "uwsgi" },
        { line: 4, severity: "warning", message: "oslo_service.fixtures" },
      ],
    },
    {
      name: "uses of the eventlet WSGI Server through a module import",
      files: req("oslo.service>=4.1.0"),
      code: "from oslo_service import wsgi as base_wsgi\nloader = base_wsgi.Loader(CONF)\nserver = base_wsgi.Server(CONF, 'api', app)\n",
      errors: [{ line: 3, column: 10, severity: "warning", message: "oslo_service.wsgi.Server is deprecated in oslo.service 4.1.0" }],
    },
    {
      name: "a version pinned in the config wins over the requirement files",
      files: req("oslo.messaging>=14.0.0"),
      config: { versions: { "oslo.messaging": "18.0.0" } },
      code: HEARTBEAT,
      errors: [{ line: 2, severity: "error", message: "oslo.messaging 18.0.0 (.eventlet-review.yaml)" }],
    },
  ],
});

describe("verdict boundaries", () => {
  test.each([
    ["14.8.9", undefined],
    ["14.9.0", "warning"],
    ["17.99.0", "warning"],
    ["18.0.0", "error"],
  ])("heartbeat_in_pthread at oslo.messaging %s", (version, severity) => {
    expect(verdict(RETIRED.heartbeat_in_pthread, version)?.severity).toBe(severity);
  });

  test.each([
    ["15.99", undefined],
    ["16.0.0", "warning"],
    ["30.0.0", "warning"],
  ])("the eventlet executor at oslo.messaging %s", (version, severity) => {
    expect(verdict(RETIRED["eventlet-executor"], version)?.severity).toBe(severity);
  });

  test.each([
    ["4.0.9", undefined],
    ["4.1.0", "warning"],
  ])("oslo.service modules at %s", (version, severity) => {
    expect(verdict(RETIRED["oslo_service-module"], version)?.severity).toBe(severity);
  });

  test("a configured severity overrides the version's", async () => {
    const config = configSchema.parse({ rules: { EVL503: "info" } });
    const analyzer = new Analyzer(config, new MemoryProjectFiles(req("oslo.messaging>=18.0.0")), [retiredEventletApi]);
    const { findings } = await analyzer.analyzeText("pkg/mod.py", HEARTBEAT);
    expect(findings.map((f) => f.severity)).toEqual(["info"]);
  });
});
