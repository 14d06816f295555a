import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { ProjectFacts } from "../../src/facts/project-facts.js";

const config = (extra: Record<string, unknown> = {}) => configSchema.parse(extra);

describe("concurrency model of a file", () => {
  test("threading selected in the package __init__, aliases resolved", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "neutron/__init__.py": "from oslo_service import backend as svc\n\nsvc.init_backend(svc.BackendType.THREADING)\n",
        "neutron/agent/__init__.py": "",
        "neutron/agent/dhcp.py": "import os\n",
      }),
      config(),
    );
    const result = await facts.concurrencyOf("neutron/agent/dhcp.py");
    expect(result.model).toBe("threading");
    expect(result.declarations).toMatchObject([{ path: "neutron/__init__.py", line: 3, how: "init_backend(BackendType.THREADING)" }]);
  });

  test("from-imported names and a default hook count too", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "a/__init__.py": "from oslo_service.backend import BackendType, init_backend\ninit_backend(BackendType.THREADING)\n",
        "b/__init__.py": "from oslo_service import backend\nbackend.register_backend_default_hook(lambda: backend.BackendType.THREADING)\n",
      }),
      config(),
    );
    expect((await facts.concurrencyOf("a/x.py")).model).toBe("threading");
    expect((await facts.concurrencyOf("b/x.py")).model).toBe("threading");
  });

  test("eventlet where the chain patches, directly, through a helper or a patch module", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "nova/__init__.py": '"""Nova."""\n',
        "nova/cmd/__init__.py": "import nova.monkey_patch  # noqa\n",
        "neutron/__init__.py": "",
        "neutron/cmd/__init__.py": "",
        "neutron/cmd/eventlet/__init__.py": "from neutron.common import eventlet_utils\neventlet_utils.monkey_patch()\n",
        "cinder/__init__.py": "import eventlet\neventlet.monkey_patch()\n",
      }),
      config(),
    );
    expect(await facts.concurrencyOf("nova/cmd/compute.py")).toMatchObject({ model: "eventlet", declarations: [{ how: "import nova.monkey_patch" }] });
    expect(await facts.concurrencyOf("neutron/cmd/eventlet/agents/l3.py")).toMatchObject({
      model: "eventlet",
      declarations: [{ how: "neutron.common.eventlet_utils.monkey_patch()" }],
    });
    expect((await facts.concurrencyOf("cinder/volume/api.py")).model).toBe("eventlet");
    expect((await facts.concurrencyOf("nova/compute/api.py")).model).toBe("unknown");
  });

  test("a patch inside a library function is not a model; in an entry point's main() it is", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "pkg/__init__.py": "def patch():\n    import eventlet\n    eventlet.monkey_patch()\n",
        "pkg/cmd/__init__.py": "",
        "pkg/cmd/api.py": "from oslo_service import backend\n\ndef main():\n    backend.init_backend(backend.BackendType.THREADING)\n",
      }),
      config(),
    );
    expect((await facts.concurrencyOf("pkg/lib.py")).model).toBe("unknown");
    expect(await facts.concurrencyOf("pkg/cmd/api.py")).toMatchObject({ model: "threading", declarations: [{ line: 4 }] });
  });

  test("both models on one import chain are mixed", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "p/__init__.py": "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n",
        "p/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n",
      }),
      config(),
    );
    expect((await facts.concurrencyOf("p/tests/test_x.py")).model).toBe("mixed");
  });

  test("the config decides per glob, first match wins, auto detects", async () => {
    const project = new MemoryProjectFiles({ "p/__init__.py": "import eventlet\neventlet.monkey_patch()\n" });
    const facts = new ProjectFacts(project, config({ concurrency: { "p/tests/**": "auto", "p/**": "threading" } }));
    expect(await facts.concurrencyOf("p/api.py")).toMatchObject({ model: "threading", configured: { glob: "p/**" } });
    expect((await facts.concurrencyOf("p/tests/t.py")).model).toBe("eventlet");
    const whole = new ProjectFacts(project, config({ concurrency: "eventlet" }));
    expect((await whole.concurrencyOf("x.py")).configured).toEqual({ glob: "**", model: "eventlet" });
  });

  test("sameProcessDeclarations: imported project packages and probed subpackages", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "p/__init__.py": "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n",
        "p/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n",
        "q/__init__.py": "",
        "q/cmd/__init__.py": "",
        "q/cmd/run.py": "import eventlet\neventlet.monkey_patch()\nimport os\nfrom p import service\n",
      }),
      config(),
    );
    expect((await facts.sameProcessDeclarations("q/cmd/run.py")).map((d) => d.path)).toEqual(["p/__init__.py"]);
    expect((await facts.sameProcessDeclarations("p/__init__.py")).map((d) => d.path)).toEqual(["p/tests/__init__.py"]);
  });
});

describe("versions through ProjectFiles", () => {
  test("read from the root files, config pins first", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({ "requirements.txt": "eventlet>=0.26.0\n", "setup.cfg": "[options]\ninstall_requires =\n  eventlet>=0.30\n" }),
      config({ versions: { "oslo.service": "4.2.0" } }),
    );
    expect(await facts.version("eventlet")).toMatchObject({ version: "0.26.0", source: { path: "requirements.txt", line: 1 } });
    expect(await facts.version("oslo.service")).toMatchObject({ version: "4.2.0", source: { path: ".eventlet-review.yaml" } });
    expect(await facts.version("oslo.messaging")).toBeUndefined();
  });
});

describe("project helpers named monkey_patch", () => {
  test("eventlet_utils.monkey_patch() patches; cinder's decorator utils.monkey_patch() does not", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "a/__init__.py": "",
        "a/cmd/__init__.py": "from a.common import eventlet_utils\neventlet_utils.monkey_patch()\n",
        "b/__init__.py": "",
        "b/cmd/__init__.py": "from b import utils\nutils.monkey_patch()\n",
      }),
      config(),
    );
    expect((await facts.concurrencyOf("a/cmd/x.py")).model).toBe("eventlet");
    expect((await facts.concurrencyOf("b/cmd/x.py")).model).toBe("unknown");
  });
});

describe("computed once per review", () => {
  test("one Analyzer reads each requirement file and parent __init__ once, however many files it reviews", async () => {
    const { Analyzer } = await import("../../src/analyzer/analyze.js");
    const { ALL_RULES } = await import("../../src/rules/index.js");
    const reads = new Map<string, number>();
    const inner = new MemoryProjectFiles({
      "requirements.txt": "oslo.messaging>=18.0.0\n",
      "p/__init__.py": "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n",
    });
    const counting = {
      readText(path: string) {
        reads.set(path, (reads.get(path) ?? 0) + 1);
        return inner.readText(path);
      },
    };
    const analyzer = new Analyzer(config(), counting, ALL_RULES);
    const code = "import eventlet\nconf = dict(heartbeat_in_pthread=True)\n";
    let findings = 0;
    for (const name of ["a", "b", "c"]) findings += (await analyzer.analyzeText(`p/${name}.py`, code)).findings.length;
    expect(findings).toBe(6); // EVL501 and EVL503 in each file
    expect(reads.get("requirements.txt")).toBe(1);
    expect(reads.get("p/__init__.py")).toBe(1);
    expect(analyzer.facts()).toBe(analyzer.facts());
  });
});

describe("config keys", () => {
  test("concurrency and versions are validated strictly", async () => {
    const { parseConfig } = await import("../../src/config/load.js");
    expect(parseConfig("concurrency: threading\nversions: {eventlet: 0.36.1, oslo.messaging: '18.0.0'}\n")).toMatchObject({
      concurrency: "threading",
      versions: { eventlet: "0.36.1", "oslo.messaging": "18.0.0" },
    });
    expect(() => parseConfig("concurrency: green\n")).toThrow(/concurrency/);
    expect(() => parseConfig("concurrency: {'x/**': gevent}\n")).toThrow(/concurrency/);
    expect(() => parseConfig("versions: {greenlet: 3.0}\n")).toThrow(/unknown key "greenlet" in versions/);
    expect(() => parseConfig("versions: {eventlet: latest}\n")).toThrow(/versions look like/);
  });
});
