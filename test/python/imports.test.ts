import { pythonFixtures } from "../support/fixtures.js";
import { ImportTable, isWithin } from "../../src/python/imports.js";
import { nodesOfTypes } from "../../src/python/node-query.js";
import { withTree, type Node } from "../../src/python/parser.js";

/** Qualifies the callee of every call in `code`, in source order. */
async function callees(code: string): Promise<(string | undefined)[]> {
  return withTree(code, (tree) => {
    const imports = new ImportTable(tree.rootNode);
    return tree.rootNode.descendantsOfType("call").map((call) => imports.qualify((call as Node).childForFieldName("function")));
  });
}

describe("ImportTable.qualify", () => {
  test("import eventlet as ev", async () => {
    expect(await callees("import eventlet as ev\nev.monkey_patch()\nev.patcher.monkey_patch()\n")).toEqual([
      "eventlet.monkey_patch",
      "eventlet.patcher.monkey_patch",
    ]);
  });

  test("from eventlet import monkey_patch as mp", async () => {
    expect(await callees("from eventlet import monkey_patch as mp\nmp()\n")).toEqual(["eventlet.monkey_patch"]);
  });

  test("from eventlet import patcher", async () => {
    expect(await callees("from eventlet import patcher\npatcher.monkey_patch()\n")).toEqual(["eventlet.patcher.monkey_patch"]);
  });

  test("import eventlet.patcher binds the top-level name", async () => {
    expect(await callees("import eventlet.patcher\neventlet.patcher.monkey_patch()\n")).toEqual(["eventlet.patcher.monkey_patch"]);
  });

  test("from subprocess import check_output as co; import subprocess as sp", async () => {
    expect(await callees("from subprocess import check_output as co\nimport subprocess as sp\nco()\nsp.run()\n")).toEqual([
      "subprocess.check_output",
      "subprocess.run",
    ]);
  });

  test("imports inside functions and guards count (flow-insensitive)", async () => {
    const code = "import os\nif not os.environ.get('X'):\n    import eventlet\n\ndef f():\n    from eventlet import greenthread\n    greenthread.spawn(g)\n\neventlet.monkey_patch()\n";
    expect(await callees(code)).toEqual(["os.environ.get", "eventlet.greenthread.spawn", "eventlet.monkey_patch"]);
  });

  test("unbound names, relative imports and call results stay unqualified", async () => {
    const code = "from . import eventlet\nfrom .x import y\neventlet.monkey_patch()\ny()\nget().monkey_patch()\n";
    expect(await callees(code)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("importsFrom covers submodules and names from them", async () => {
    await withTree("from eventlet.green import subprocess\nimport oslo_messaging\n", (tree) => {
      const imports = new ImportTable(tree.rootNode);
      expect(imports.importsFrom("eventlet")).toBe(true);
      expect(imports.importsFrom("eventlet.green")).toBe(true);
      expect(imports.importsFrom("oslo_messaging")).toBe(true);
      expect(imports.importsFrom("oslo")).toBe(false);
      expect(imports.importsFrom("subprocess")).toBe(false);
      expect(imports.records.map((r) => [r.module, r.name])).toEqual([
        ["eventlet.green", "subprocess"],
        ["oslo_messaging", undefined],
      ]);
    });
  });
});

test("isWithin matches a module and its submodules only", () => {
  expect(isWithin("eventlet", "eventlet")).toBe(true);
  expect(isWithin("eventlet.green.subprocess", "eventlet")).toBe(true);
  expect(isWithin("eventlet_utils", "eventlet")).toBe(false);
  expect(isWithin(undefined, "eventlet")).toBe(false);
});

/** The reference: import statements reached through statement containers only, visited from JavaScript. */
const CONTAINERS = new Set([
  "module", "block", "if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
  "except_group_clause", "finally_clause", "with_statement", "for_statement", "while_statement",
  "function_definition", "class_definition", "decorated_definition", "match_statement", "case_clause",
]);
function statementsWalk(node: Node, found: Node[] = []): Node[] {
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "import_statement" || child.type === "import_from_statement") found.push(child);
    else if (CONTAINERS.has(child.type)) statementsWalk(child, found);
  }
  return found;
}

test("ImportTable finds the import statements a walk through the statements finds, in order, on every fixture and broken code", async () => {
  const texts = [
    // An import inside an ERROR node is no statement; imports in match cases, try/else and nested defs are.
    "import a\ndef (\n    import b\n",
    "else:\n    import c\nimport d\n",
    "match x:\n    case 1:\n        import m1\ntry:\n    import t\nexcept ImportError:\n    from u import v as w\nelse:\n    import e\nfinally:\n    import fin\n",
    "class C:\n    @deco\n    def m(self):\n        for i in x:\n            while y:\n                with z:\n                    from p.q import r\n",
    ...pythonFixtures().map((f) => f.text),
  ];
  let imports = 0;
  let inErrors = 0;
  for (const text of texts) {
    await withTree(text, (tree) => {
      const table = new ImportTable(tree.rootNode);
      const expected = statementsWalk(tree.rootNode).map((n) => n.startIndex);
      const statements = [...new Set(table.records.map((r) => r.node.startIndex))];
      // Records only from statements that bind something: a relative import records nothing in either.
      expect(statements).toEqual(expected.filter((start) => statements.includes(start)));
      expect(expected.filter((start) => !statements.includes(start)).every((start) => /^from\s+\./.test(text.slice(start)))).toBe(true);
      imports += expected.length;
      inErrors += nodesOfTypes(tree.rootNode, ["import_statement"]).filter((n) => n.parent?.type === "ERROR").length;
    });
  }
  expect(imports).toBeGreaterThan(100);
  expect(inErrors).toBeGreaterThanOrEqual(2);
});

/** qualify as the tree says it, one field at a time: what the dotted-text shortcut must agree with. */
function qualifyByTree(imports: ImportTable, expression: Node | null): string | undefined {
  if (!expression) return undefined;
  if (expression.type === "identifier") return imports.bindings.get(expression.text);
  if (expression.type !== "attribute") return undefined;
  const base = qualifyByTree(imports, expression.childForFieldName("object"));
  const attribute = expression.childForFieldName("attribute")?.text;
  return base && attribute ? `${base}.${attribute}` : undefined;
}

describe("ImportTable.qualify from a dotted name's text", () => {
  const SAMPLES = [
    "import eventlet as ev\nev . patcher.monkey_patch()\n(ev).patcher\nev.\\\n  patcher.x\nev.patcher  # c\n",
    "import os\nos.path.join(a).b.c\nos.environ['X'].get\nos.é.x\n",
    "from eventlet import green\ngreen.subprocess.Popen\ngreen[0].x\ngreen.\n",
  ];

  it("agrees with the field-by-field answer on every name and attribute of the samples and fixtures", async () => {
    let checked = 0;
    for (const code of [...SAMPLES, ...pythonFixtures().map((f) => f.text)]) {
      await withTree(code, (tree) => {
        const imports = new ImportTable(tree.rootNode);
        for (const node of nodesOfTypes(tree.rootNode, ["identifier", "attribute"])) {
          expect([node.text, imports.qualify(node)]).toEqual([node.text, qualifyByTree(imports, node)]);
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
