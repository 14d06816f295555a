/** nodesOfTypes finds what a pre-order cursor walk over every node finds, in the same order. */
import { pythonFixtures } from "../support/fixtures.js";
import { nodesOfTypes } from "../../src/python/node-query.js";
import { withTree, type Node } from "../../src/python/parser.js";

// `lambda` is also the keyword's (anonymous) node type: only the named nodes count.
const TYPES = ["call", "string", "keyword_argument", "pair", "attribute", "assignment", "lambda", "import_statement"];

/** The reference: every named node of `types`, visited with a cursor in pre-order. */
function cursorWalk(root: Node, types: readonly string[]): string[] {
  const found: string[] = [];
  const cursor = root.walk();
  for (;;) {
    if (types.includes(cursor.nodeType) && cursor.nodeIsNamed) found.push(describe(cursor.currentNode));
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return found;
      }
    }
  }
}

const describe = (node: Node) => `${node.type}@${node.startIndex}-${node.endIndex}`;

test("same nodes, same order as a cursor walk: nested nodes that start together, errors, every fixture", async () => {
  const samples = [
    // A call whose callee is an attribute, both starting at `a`; a call in a call's arguments.
    "a.b(c.d(x=1), {'k': 'v'})\n",
    // An assignment whose value is a call on an attribute of a string.
    "x = 'mysql://%s'.format(y)\n",
    // Broken code: the parser recovers, and nodes inside ERROR count too.
    "def f(:\n    eventlet.monkey_patch(thread=False)\nz = g(\n",
    // Lambdas, whose keyword is a node of the same type name, but anonymous.
    "spawn(lambda: g(), key=lambda x: x)\nimport a\n",
    ...pythonFixtures().map((f) => f.text),
  ];
  expect(samples.length).toBeGreaterThan(20);
  let compared = 0;
  for (const text of samples) {
    await withTree(text, (tree) => {
      for (const types of [TYPES, ["call"], ["string", "attribute"], ["lambda"]]) {
        const expected = cursorWalk(tree.rootNode, types);
        expect(nodesOfTypes(tree.rootNode, types).map(describe)).toEqual(expected);
        compared += expected.length;
      }
    });
  }
  expect(compared).toBeGreaterThan(1000);
});
