import { exclusiveBranches } from "../../src/python/branches.js";
import { withTree, type Node } from "../../src/python/parser.js";
import { dedent } from "../support/rule-tester.js";

/** Whether the calls `first()` and `second()` of `code` are exclusive. */
async function exclusive(code: string): Promise<boolean> {
  return withTree(dedent(code), (tree) => {
    const calls = tree.rootNode.descendantsOfType("call").filter((c): c is Node => !!c);
    const find = (name: string) => calls.find((c) => c.childForFieldName("function")?.text === name)!;
    return exclusiveBranches(find("first"), find("second"));
  });
}

describe("exclusiveBranches", () => {
  test.each([
    ["if/else", "if x:\n    first()\nelse:\n    second()\n"],
    ["if/elif", "if x:\n    first()\nelif y:\n    second()\n"],
    ["elif/else", "if x:\n    pass\nelif y:\n    first()\nelse:\n    second()\n"],
    ["separate ifs, not x / x", "if not use_threading:\n    first()\nprint('between')\nif use_threading:\n    second()\n"],
    ["separate ifs, parenthesized and nested deeper", "if (not CONF.a.b):\n    if y:\n        first()\nif CONF.a.b:\n    second()\n"],
    ["== / !=", "if backend == 'threading':\n    first()\nif backend != 'threading':\n    second()\n"],
    ["in / not in", "if v in ('1', 'true'):\n    first()\nif v not in ('1', 'true'):\n    second()\n"],
    ["is / is not", "if hub is None:\n    first()\nif hub is not None:\n    second()\n"],
    ["os.name == 'nt' against sys.platform != 'win32'", "if os.name == 'nt':\n    first()\nif sys.platform != 'win32':\n    second()\n"],
    ["os.name == 'nt' against the else of another Windows test", "if os.name == \"nt\":\n    first()\nif sys.platform.startswith('win'):\n    pass\nelse:\n    second()\n"],
    ["an environment read", "if os.environ.get('X', '').lower() == '1':\n    first()\nif os.environ.get('X', '').lower() != '1':\n    second()\n"],
  ])("%s", async (_name, code) => {
    expect(await exclusive(code)).toBe(true);
  });

  test.each([
    ["statements in sequence", "first()\nsecond()\n"],
    ["two ifs on different conditions", "if a:\n    first()\nif not b:\n    second()\n"],
    ["two ifs on the same condition", "if a:\n    first()\nif a:\n    second()\n"],
    ["the condition is rebound in the first body", "if not legacy:\n    first()\n    legacy = True\nif legacy:\n    second()\n"],
    ["the condition is rebound between the ifs", "if not on:\n    first()\non = decide()\nif on:\n    second()\n"],
    ["a call whose value the first body may change", "if not patcher.is_monkey_patched('thread'):\n    first()\nif patcher.is_monkey_patched('thread'):\n    second()\n"],
    ["inside the body and after the if", "if x:\n    first()\nsecond()\n"],
  ])("not exclusive: %s", async (_name, code) => {
    expect(await exclusive(code)).toBe(false);
  });
});
