/** Patching behind one level of indirection: re-exports and helpers, read through ProjectFiles once. */
import { Analyzer } from "../../src/analyzer/analyze.js";
import { ImportTable } from "../../src/python/imports.js";
import { indirectPatch, resolveReExports } from "../../src/facts/indirection.js";
import { withTree, type Node } from "../../src/python/parser.js";
import { MemoryProjectFiles, type ProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { CONCURRENCY_REEXPORT, UTILS_WITH_DECORATOR_HELPER, UTILS_WITH_PATCH_HELPER } from "../support/patch-modules.js";

/** Counts the reads of each path. */
class CountingFiles implements ProjectFiles {
  readonly reads = new Map<string, number>();
  constructor(private readonly inner: ProjectFiles) {}
  readText(path: string): Promise<string | undefined> {
    this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
    return this.inner.readText(path);
  }
}

const FILES = {
  "pkg/__init__.py": "",
  "pkg/utils.py": UTILS_WITH_PATCH_HELPER,
  "pkg/old_utils.py": UTILS_WITH_DECORATOR_HELPER,
  "pkg/concurrency.py": CONCURRENCY_REEXPORT,
};

async function firstCall<T>(code: string, project: ProjectFiles, use: (call: Node, imports: ImportTable) => Promise<T>): Promise<T> {
  return withTree(code, async (tree) => {
    const imports = new ImportTable(tree.rootNode);
    await resolveReExports(imports, project);
    return use(tree.rootNode.descendantsOfType("call")[0]!, imports);
  });
}

describe("re-exports", () => {
  test("a name a project module imports from eventlet is eventlet's", async () => {
    const project = new MemoryProjectFiles(FILES);
    const code = "from pkg.concurrency import eventlet, GreenPool as Pool, monkey_patch\nfrom pkg.utils import synchronized\n";
    await withTree(code, async (tree) => {
      const imports = new ImportTable(tree.rootNode);
      expect(imports.importsFrom("eventlet")).toBe(false);
      await resolveReExports(imports, project);
      expect(imports.bindings.get("eventlet")).toBe("eventlet");
      expect(imports.bindings.get("Pool")).toBe("eventlet.GreenPool");
      expect(imports.bindings.get("monkey_patch")).toBe("eventlet.patcher.monkey_patch");
      expect(imports.bindings.get("synchronized")).toBe("pkg.utils.synchronized");
      expect(imports.importsFrom("eventlet")).toBe(true);
    });
  });
});

describe("indirectPatch", () => {
  const project = new MemoryProjectFiles(FILES);
  test("a helper whose body patches", async () => {
    const found = await firstCall("from pkg import utils\nutils.monkey_patch()\n", project, (c, i) => indirectPatch(c, i, project));
    expect(found).toMatchObject({ kind: "helper", path: "pkg/utils.py", callee: "pkg.utils.monkey_patch" });
    expect(found?.summary?.runsCode).toEqual({ line: 3, what: "import functools" });
  });
  test("a helper of the same name that patches nothing", async () => {
    expect(await firstCall("from pkg import old_utils\nold_utils.monkey_patch()\n", project, (c, i) => indirectPatch(c, i, project))).toBeUndefined();
  });
  test("an alias of eventlet's patch function, called through the module", async () => {
    const found = await firstCall("import pkg.concurrency as conc\nconc.monkey_patch()\n", project, (c, i) => indirectPatch(c, i, project));
    expect(found).toMatchObject({ kind: "alias", path: "pkg/concurrency.py" });
  });
  test("for a module outside the project, only its top-level package is probed", async () => {
    const counting = new CountingFiles(project);
    expect(await firstCall("from oslo_utils import helpers\nhelpers.monkey_patch()\n", counting, (c, i) => indirectPatch(c, i, counting))).toBeUndefined();
    expect([...counting.reads.keys()]).toEqual(["oslo_utils.py", "oslo_utils/__init__.py"]);
  });
});

test("each helper module is read once for a whole review", async () => {
  const counting = new CountingFiles(new MemoryProjectFiles(FILES));
  const analyzer = new Analyzer(configSchema.parse({}), counting);
  for (const path of ["pkg/cmd/a.py", "pkg/cmd/b.py", "pkg/service.py"]) {
    await analyzer.analyzeText(path, "from pkg import utils\n\nutils.monkey_patch()\n");
  }
  expect(counting.reads.get("pkg/utils.py")).toBe(1);
});
