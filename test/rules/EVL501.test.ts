import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { eventletInThreadingCode } from "../../src/rules/EVL501-eventlet-in-threading-code.js";
import { dedent, ruleTester } from "../support/rule-tester.js";

const THREADING_INIT = "from oslo_service import backend as svc\nsvc.init_backend(svc.BackendType.THREADING)\n";
const threading = { "pkg/__init__.py": THREADING_INIT };

ruleTester(eventletInThreadingCode, {
  valid: [
    { name: "no model known: nothing to say", code: "import eventlet\neventlet.spawn(f)\n" },
    {
      name: "a package still on eventlet",
      files: { "pkg/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import eventlet\neventlet.spawn(f)\neventlet.sleep(0)\n",
    },
    {
      name: "a mixed chain is EVL502's",
      files: { ...threading, "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      path: "pkg/tests/test_x.py",
      code: "import eventlet\n",
    },
    { name: "threading code without eventlet", files: threading, code: "import threading\nimport time\ntime.sleep(1)\nthreading.Thread(target=f).start()\n" },
    {
      name: "time.sleep(0) on native threads releases the GIL: no eventlet use",
      files: threading,
      code: "import threading\nimport time\n\ndef drain(q):\n    while q:\n        time.sleep(0)\n",
    },
    {
      name: "a review never reports time.sleep(0), even when its comment names eventlet",
      files: threading,
      code: "from time import sleep\n\ndef poll(conn):\n    # let other green threads run\n    sleep(0)\n    sleep(0)  # eventlet: yield to the hub\n",
    },
    { name: "a selection inside a library function is no model", files: { "pkg/__init__.py": "from oslo_service import backend as svc\n\ndef f():\n    svc.init_backend(svc.BackendType.THREADING)\n" }, code: "import eventlet\n" },
  ],
  invalid: [
    {
      name: "imports and green primitives under a threading package __init__",
      files: threading,
      code: `
      import eventlet
      from eventlet import greenthread, semaphore
      import time

      def go(pool):
          eventlet.spawn_n(work)
          greenthread.spawn_after(1, work)
          eventlet.GreenPool(10)
          sem = semaphore.Semaphore()
          eventlet.sleep(1)
          time.sleep(0)
          time.sleep(0.5)
      `,
      errors: [
        { line: 1, column: 1, message: "import of eventlet in code that runs on the threading backend (pkg/__init__.py:2 selects it)" },
        { line: 2, message: "import of eventlet" },
        { line: 6, message: "eventlet.spawn_n() in code that runs on the threading backend (pkg/__init__.py:2 selects it): start a threading.Thread" },
        { line: 7, message: "eventlet.greenthread.spawn_after()" },
        { line: 8, message: "futurist.ThreadPoolExecutor" },
        { line: 9, message: "threading.Semaphore" },
        { line: 10, message: "call time.sleep()" },
      ],
    },
    {
      name: "the config says threading",
      config: { concurrency: { "pkg/**": "threading" } },
      code: "import eventlet.queue\n",
      errors: [{ line: 1, message: 'configured: concurrency "pkg/**" = threading' }],
    },
    {
      name: "an entry point that selects threading in main()",
      path: "pkg/cmd/api.py",
      files: { "pkg/__init__.py": "", "pkg/cmd/__init__.py": "" },
      code: `
      from oslo_service import backend
      from eventlet import event

      def main():
          backend.init_backend(backend.BackendType.THREADING)
          done = event.Event()
      `,
      errors: [{ line: 2 }, { line: 6, message: "threading.Event" }],
    },
  ],
});

describe("EVL501 in a whole-tree run", () => {
  test("legacy uses are listed at info level", async () => {
    const config = configSchema.parse({});
    const code = dedent("import eventlet\neventlet.spawn(f)\n");
    const project = new MemoryProjectFiles({ ...threading, "pkg/mod.py": code });
    const tree = new Analyzer(config, project, [eventletInThreadingCode], { mode: "tree" });
    const change = new Analyzer(config, project, [eventletInThreadingCode], { mode: "change" });
    expect((await tree.analyzeText("pkg/mod.py", code)).findings.map((f) => f.severity)).toEqual(["info", "info"]);
    expect((await change.analyzeText("pkg/mod.py", code)).findings.map((f) => f.severity)).toEqual(["error", "error"]);
  });

  test("the to-do list names time.sleep(0) only when its own comment says it is for eventlet", async () => {
    const code = dedent(`
    import time


    def drain(queue):
        while queue.pending():
            # Yield so that other green threads get to run.
            time.sleep(0)


    def release():
        time.sleep(0)  # eventlet: let the hub switch


    def spin():
        # Release the GIL for the reader thread.
        time.sleep(0)


    def later():
        # eventlet used to be here

        time.sleep(0)
    `);
    const project = new MemoryProjectFiles({ ...threading, "pkg/mod.py": code });
    const tree = new Analyzer(configSchema.parse({}), project, [eventletInThreadingCode], { mode: "tree" });
    const findings = (await tree.analyzeText("pkg/mod.py", code)).findings;
    expect(findings.map((f) => [f.line, f.severity])).toEqual([[7, "info"], [11, "info"]]);
    expect(findings[0].message).toContain("time.sleep(0), which its comment says yields to eventlet, in code that runs on the threading backend");
    const change = new Analyzer(configSchema.parse({}), project, [eventletInThreadingCode], { mode: "change" });
    expect((await change.analyzeText("pkg/mod.py", code)).findings).toEqual([]);
  });

  test("a configured severity wins over the info listing", async () => {
    const config = configSchema.parse({ rules: { EVL501: "warning" } });
    const project = new MemoryProjectFiles(threading);
    const tree = new Analyzer(config, project, [eventletInThreadingCode], { mode: "tree" });
    expect((await tree.analyzeText("pkg/mod.py", "import eventlet\n")).findings.map((f) => f.severity)).toEqual(["warning"]);
  });
});
