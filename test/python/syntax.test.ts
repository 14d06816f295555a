/** runsAtImport's scope index answers as a walk up the node's parents does. */
import { pythonFixtures } from "../support/fixtures.js";
import { nodesOfTypes } from "../../src/python/node-query.js";
import { withTree, type Node } from "../../src/python/parser.js";
import { importTimeCalls, runsAtImport } from "../../src/python/syntax.js";

/** The reference: no def or lambda among the node's ancestors. */
function byParents(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition" || p.type === "lambda") return false;
  return true;
}

const ASKED = ["call", "import_statement", "import_from_statement", "expression_statement", "function_definition", "lambda", "decorated_definition", "if_statement"];

async function answers(text: string): Promise<{ ours: string[]; theirs: string[] }> {
  return withTree(text, (tree) => {
    const nodes = nodesOfTypes(tree.rootNode, ASKED);
    const label = (node: Node, value: boolean) => `${node.type}@${node.startIndex}-${node.endIndex}:${value}`;
    return { ours: nodes.map((n) => label(n, runsAtImport(n))), theirs: nodes.map((n) => label(n, byParents(n))) };
  });
}

test("at import time or not, as the parents say: nested scopes, lambdas as statements, broken code", async () => {
  const samples = [
    "import a\n\ndef f():\n    import b\n    g(lambda: h())\n\nclass C:\n    def m(self):\n        x()\n    y()\n\nz = lambda: w()\nlambda: 0\n(lambda: 1)()\n",
    "@deco(f())\ndef g(x=k()):\n    def inner():\n        q()\n    return inner\nafter()\n",
    "def f(:\n    eventlet.monkey_patch(thread=False)\nz = g(\n",
    "if x:\n    def a(): pass\n    b()\nelse:\n    c = lambda y: (lambda: d())()\n    e()\n",
  ];
  for (const text of samples) {
    const { ours, theirs } = await answers(text);
    expect(ours).toEqual(theirs);
    expect(ours.some((a) => a.endsWith(":false"))).toBe(true);
  }
});

test("every node of every fixture gets the parents' answer", async () => {
  const fixtures = pythonFixtures();
  expect(fixtures.length).toBeGreaterThan(20);
  let inside = 0;
  for (const { file, text } of fixtures) {
    const { ours, theirs } = await answers(text);
    expect([file, ours]).toEqual([file, theirs]);
    inside += ours.filter((a) => a.endsWith(":false")).length;
  }
  expect(inside).toBeGreaterThan(50);
});

test("importTimeCalls: the calls the parents say run at import, in pre-order, on every fixture", async () => {
  const texts = [
    "f(lambda: g(), h())\nclass C:\n    x = k()\n    def m(self):\n        n()\n@deco(d())\ndef w(a=b()):\n    c()\nlast()",
    "def only():\n    inner()\n",
    "plain(nested(call()))\n",
    ...pythonFixtures().map((f) => f.text),
  ];
  let found = 0;
  for (const text of texts) {
    await withTree(text, (tree) => {
      const label = (n: Node) => `${n.startIndex}-${n.endIndex}`;
      const expected = tree.rootNode.descendantsOfType("call").filter((c): c is Node => !!c && byParents(c)).map(label);
      expect(importTimeCalls(tree.rootNode).map(label)).toEqual(expected);
      found += expected.length;
    });
  }
  expect(found).toBeGreaterThan(100);
});
