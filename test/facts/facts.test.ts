import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { ProjectFacts } from "../../src/facts/project-facts.js";
import { CONCURRENCY_REEXPORT, EVENTLET_UTILS, MODERN_PATCH_MODULE, UTILS_WITH_DECORATOR_HELPER, UTILS_WITH_PATCH_HELPER } from "../support/patch-modules.js";

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
        "neutron/common/eventlet_utils.py": EVENTLET_UTILS,
        "cinder/__init__.py": "import eventlet\neventlet.monkey_patch()\n",
      }),
      config(),
    );
    expect(await facts.concurrencyOf("nova/cmd/compute.py")).toMatchObject({ model: "eventlet", declarations: [{ how: "import nova.monkey_patch" }] });
    expect(await facts.concurrencyOf("neutron/cmd/eventlet/agents/l3.py")).toMatchObject({
      model: "eventlet",
      declarations: [{ how: "eventlet_utils.monkey_patch()" }],
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

describe("project helpers: what their body does decides, not their name", () => {
  test("eventlet_utils.monkey_patch() and nova 2018's utils.monkey_patch() patch; the decorator utils.monkey_patch() does not", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({
        "a/__init__.py": "",
        "a/common/eventlet_utils.py": EVENTLET_UTILS,
        "a/cmd/__init__.py": "from a.common import eventlet_utils\neventlet_utils.monkey_patch()\n",
        "b/__init__.py": "",
        "b/utils.py": UTILS_WITH_DECORATOR_HELPER,
        "b/cmd/__init__.py": "from b import utils\nutils.monkey_patch()\n",
        "c/__init__.py": "",
        "c/utils.py": UTILS_WITH_PATCH_HELPER,
        "c/cmd/__init__.py": "from c import utils\n\nutils.monkey_patch()\n",
        "d/__init__.py": "",
        "d/cmd/__init__.py": "from d.common import eventlet_utils\neventlet_utils.monkey_patch()\n",
      }),
      config(),
    );
    expect((await facts.concurrencyOf("a/cmd/x.py")).model).toBe("eventlet");
    expect((await facts.concurrencyOf("b/cmd/x.py")).model).toBe("unknown");
    expect(await facts.concurrencyOf("c/cmd/x.py")).toMatchObject({ model: "eventlet", declarations: [{ path: "c/cmd/__init__.py", line: 3, how: "utils.monkey_patch()" }] });
    // The helper's module is not in the tree: nothing says it patches.
    expect((await facts.concurrencyOf("d/cmd/x.py")).model).toBe("unknown");
  });

  test("a re-exported eventlet is eventlet (swift.common.concurrency)", async () => {
    const facts = new ProjectFacts(
      new MemoryProjectFiles({ "s/__init__.py": "", "s/concurrency.py": CONCURRENCY_REEXPORT, "s/tests/__init__.py": "from s.concurrency import eventlet\neventlet.monkey_patch()\n" }),
      config(),
    );
    expect(await facts.concurrencyOf("s/tests/unit/test_x.py")).toMatchObject({ model: "eventlet", declarations: [{ how: "eventlet.monkey_patch()" }] });
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

describe("dedicated patch modules: the call says what is selected (nova's monkey_patch.patch)", () => {
  const project = () =>
    new MemoryProjectFiles({
      "pkg/__init__.py": "",
      "pkg/monkey_patch.py": MODERN_PATCH_MODULE,
      "pkg/cmd/__init__.py": "",
      "pkg/cmd/compute.py": "from pkg import monkey_patch; monkey_patch.patch(backend='threading')  # noqa\n",
      "pkg/cmd/api.py": "from pkg import monkey_patch; monkey_patch.patch()  # noqa\n",
      "pkg/utils.py": "from pkg import monkey_patch\n\n\ndef eventlet_mode():\n    return monkey_patch.is_patched()\n",
      "pkg/tests/unit/test_utils.py": "from pkg import monkey_patch\n",
    });

  test("patch(backend='threading') selects threading, patch() patches, an import for is_patched() declares nothing", async () => {
    const facts = new ProjectFacts(project(), config());
    expect(await facts.concurrencyOf("pkg/cmd/compute.py")).toMatchObject({
      model: "threading",
      declarations: [{ line: 1, how: "monkey_patch.patch(backend='threading')" }],
    });
    expect(await facts.concurrencyOf("pkg/cmd/api.py")).toMatchObject({ model: "eventlet", declarations: [{ how: "monkey_patch.patch()" }] });
    expect(await facts.concurrencyOf("pkg/utils.py")).toMatchObject({ model: "unknown", declarations: [] });
    expect(await facts.concurrencyOf("pkg/tests/unit/test_utils.py")).toMatchObject({ model: "unknown", declarations: [] });
  });
});

describe("the project's programs (issue 12, class 7)", () => {
  const THREADING = "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n";
  const base = {
    "setup.cfg": "[metadata]\nname = forge\n\n[entry_points]\nconsole_scripts =\n    forge-engine = forge.cmd.engine:main\n    forge-manage = forge.cmd.manage:main\nwsgi_scripts =\n    forge-api = forge.api.wsgi:init_application\n",
    "forge/__init__.py": "",
    "forge/cmd/__init__.py": "",
    "forge/cmd/engine.py": `import sys\n\n${THREADING}`,
    "forge/cmd/manage.py": "import sys\n",
    "forge/api/__init__.py": "",
    "forge/api/wsgi.py": "def init_application():\n    pass\n",
  };

  test("one program selects threading and the others declare nothing (heat shape): library code is threading", async () => {
    const facts = new ProjectFacts(new MemoryProjectFiles(base), config());
    const c = await facts.concurrencyOf("forge/engine/stack.py", "import eventlet\n");
    expect(c).toMatchObject({ model: "threading", declarations: [{ path: "forge/cmd/engine.py", line: 4 }] });
    expect(c.programs?.programs.map((p) => p.name)).toEqual(["forge-engine", "forge-manage", "forge-api"]);
    // Entry points, tests and code outside the programs' packages keep their own (unknown) model.
    expect((await facts.concurrencyOf("forge/cmd/manage.py")).model).toBe("unknown");
    expect((await facts.concurrencyOf("forge/tests/unit/test_stack.py", "import eventlet\n")).model).toBe("unknown");
    expect((await facts.concurrencyOf("tools/lint.py", "import eventlet\n")).model).toBe("unknown");
  });

  test("one program that patches eventlet: nothing is inferred", async () => {
    const files = { ...base, "forge/api/wsgi.py": "import eventlet\neventlet.monkey_patch()\n" };
    const facts = new ProjectFacts(new MemoryProjectFiles(files), config());
    expect((await facts.concurrencyOf("forge/engine/stack.py", "import eventlet\n")).model).toBe("unknown");
    expect(await facts.programsModel()).toBeUndefined();
  });

  test("programs that declare nothing, or no programs at all: nothing is inferred", async () => {
    const none = new ProjectFacts(new MemoryProjectFiles({ ...base, "forge/cmd/engine.py": "import sys\n" }), config());
    expect(await none.programsModel()).toBeUndefined();
    const noMetadata = new ProjectFacts(new MemoryProjectFiles({ "forge/__init__.py": "", "forge/cmd/__init__.py": THREADING }), config());
    expect((await noMetadata.concurrencyOf("forge/engine/stack.py", "import eventlet\n")).model).toBe("unknown");
  });
});

describe("scripts run by path (issue 12, class 8)", () => {
  test("a script does not inherit its package's model; a module of the package does", async () => {
    const THREADING = "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n";
    const facts = new ProjectFacts(new MemoryProjectFiles({ "pkg/__init__.py": THREADING }), config());
    const script = "import eventlet\n\nif __name__ == '__main__':\n    eventlet.spawn(print).wait()\n";
    expect(await facts.concurrencyOf("pkg/tools/bench.py", script)).toMatchObject({ model: "unknown", declarations: [] });
    expect((await facts.concurrencyOf("pkg/tools/helpers.py", "import eventlet\n")).model).toBe("threading");
  });
});
