/**
 * `eventlet-review facts` and the rules agree on what patches (issue 12, class 7): every way of
 * patching that facts counts as eventlet is a patch for EVL101 too, at the same line.
 */
import { Analyzer } from "../../src/analyzer/analyze.js";
import { configSchema } from "../../src/config/schema.js";
import { ProjectFacts } from "../../src/facts/project-facts.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { monkeyPatchNotFirst } from "../../src/rules/EVL101-monkey-patch-not-first.js";
import { CONCURRENCY_REEXPORT, EVENTLET_UTILS, IMPORT_TIME_PATCH_MODULE, MODERN_PATCH_MODULE, UTILS_WITH_PATCH_HELPER } from "../support/patch-modules.js";

const LIBRARY = {
  "pkg/__init__.py": "",
  "pkg/utils.py": UTILS_WITH_PATCH_HELPER,
  "pkg/common/__init__.py": "",
  "pkg/common/eventlet_utils.py": EVENTLET_UTILS,
  "pkg/common/concurrency.py": CONCURRENCY_REEXPORT,
  "pkg/monkey_patch.py": MODERN_PATCH_MODULE,
  "old/__init__.py": "",
  "old/monkey_patch.py": IMPORT_TIME_PATCH_MODULE,
};

/** Entry points that patch late (after `import logging`), each a different way; the patch is on line 3. */
const LATE: Record<string, string> = {
  "pkg/cmd/direct.py": "import logging\nimport eventlet\neventlet.monkey_patch()\n",
  "pkg/cmd/reexport.py": "import logging\nfrom pkg.common.concurrency import eventlet\neventlet.monkey_patch()\n",
  "pkg/cmd/alias.py": "import logging\nfrom pkg.common import concurrency\nconcurrency.monkey_patch()\n",
  "pkg/cmd/helper.py": "import logging\nfrom pkg.common import eventlet_utils\neventlet_utils.monkey_patch()\n",
  "pkg/cmd/utils_helper.py": "import logging\nfrom pkg import utils\nutils.monkey_patch()\n",
  "pkg/cmd/patch_function.py": "import logging\nfrom pkg import monkey_patch\nmonkey_patch.patch()\n",
  "pkg/cmd/patch_import.py": "import logging\n\nimport old.monkey_patch  # noqa: F401\n",
};

describe.each(Object.entries(LATE))("%s", (path, code) => {
  test("facts declares eventlet on line 3, and EVL101 reports the late patch on line 3", async () => {
    const project = new MemoryProjectFiles({ ...LIBRARY, [path]: code });
    const config = configSchema.parse({});
    const scan = await new ProjectFacts(project, config).scan(path);
    expect(scan?.declarations.map((d) => [d.model, d.line])).toEqual([["eventlet", 3]]);
    const analyzer = new Analyzer(config, project, [monkeyPatchNotFirst]);
    const findings = (await analyzer.analyzeText(path, code)).findings;
    expect(findings.map((f) => [f.rule, f.line])).toEqual([["EVL101", 3]]);
  });
});

test("what facts does not count as patching, EVL101 does not report", async () => {
  const code = "import logging\nfrom pkg import monkey_patch\nmonkey_patch.patch(backend='threading')\nmonkey_patch.is_patched()\n";
  const project = new MemoryProjectFiles({ ...LIBRARY, "pkg/cmd/threaded.py": code });
  const config = configSchema.parse({});
  const scan = await new ProjectFacts(project, config).scan("pkg/cmd/threaded.py");
  expect(scan?.declarations.map((d) => [d.model, d.line])).toEqual([["threading", 3]]);
  expect((await new Analyzer(config, project, [monkeyPatchNotFirst]).analyzeText("pkg/cmd/threaded.py", code)).findings).toEqual([]);
});
