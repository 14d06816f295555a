import fc from "fast-check";
import picomatch from "picomatch";
import { globComplexityProblem } from "../../src/config/glob-safety.js";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { DEFAULT_ENTRY_POINTS, DEFAULT_EXCLUDE, DEFAULT_PATCH_MODULES, DEFAULT_TEST_PATHS, DEFAULT_WSGI_MODULES } from "../../src/config/schema.js";
import { reviewChange } from "../../src/review/review.js";
import { memoryChange } from "../review/memory-change.js";

function configError(text: string): string {
  try {
    parseConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("glob complexity is checked when the config loads", () => {
  test("the glob from issue 16 is refused with an error that names it", () => {
    expect(configError("include: ['**/*a*a*a*a*a*a*b.py']\n")).toBe(
      '.eventlet-review.yaml: include.0: the glob "**/*a*a*a*a*a*a*b.py" has 7 wildcards in the path segment "*a*a*a*a*a*a*b.py"; the limit is 3',
    );
  });

  test("every glob setting is checked, concurrency keys too", () => {
    expect(configError("exclude: ['**/a/**/b/**/c.py']\n")).toContain('exclude.0: the glob "**/a/**/b/**/c.py" has 3 "**" segments');
    expect(configError("entry_points: ['**/x*/*y*z*/*.py']\n")).toContain('the glob "**/x*/*y*z*/*.py" has 6 wildcards; the limit is 4');
    expect(configError("test_paths: ['+(a|b)*(c)@(d)!(e)']\n")).toContain("4 wildcards in the path segment");
    expect(configError(`wsgi_modules: ['${"a".repeat(300)}']\n`)).toContain("is 300 characters long; the limit is 256");
    expect(configError("concurrency: {'**/*a*a*a*a*b.py': threading}\n")).toBe(
      '.eventlet-review.yaml: concurrency.**/*a*a*a*a*b.py: the glob "**/*a*a*a*a*b.py" has 5 wildcards in the path segment "*a*a*a*a*b.py"; the limit is 3',
    );
  });

  test("the defaults and ordinary globs are accepted", () => {
    for (const glob of [...DEFAULT_ENTRY_POINTS, ...DEFAULT_PATCH_MODULES, ...DEFAULT_TEST_PATHS, ...DEFAULT_WSGI_MODULES, ...DEFAULT_EXCLUDE]) {
      expect([glob, globComplexityProblem(glob)]).toEqual([glob, undefined]);
    }
    for (const glob of ["**/tests/**/test_*.py", "nova/{api,cmd}/*.py", "**/*_test.py", "a\\*b\\*c\\*d*.py"]) {
      expect([glob, globComplexityProblem(glob)]).toEqual([glob, undefined]);
    }
  });

  // Globs from wildcards and a few literals, and paths built from the same literals, the shapes that backtrack.
  const token = fc.constantFrom("*", "**", "?", "a", "b", ".py", "/", "{a,b}", "+(a)", "!(b)", "[ab]");
  const globArb = fc.array(token, { minLength: 1, maxLength: 14 }).map((parts) => parts.join(""));
  const pathArb = fc
    .tuple(fc.constantFrom("a", "ab", "a/", "ba/", "aaaa"), fc.integer({ min: 1, max: 120 }), fc.constantFrom("", ".py", "b.py", "/b"))
    .map(([unit, times, end]) => (unit.repeat(times) + end).replace(/\/+/g, "/").replace(/^\//, ""));

  test("fuzz: a glob is either refused by name or reviewed to the end against adversarial paths", async () => {
    await fc.assert(
      fc.asyncProperty(globArb, fc.uniqueArray(pathArb, { minLength: 1, maxLength: 4 }), async (glob, paths) => {
        const yaml = `include: [${JSON.stringify(glob)}]\n`;
        const problem = globComplexityProblem(glob);
        if (problem) {
          expect(configError(yaml)).toContain(`the glob ${JSON.stringify(glob)} ${problem}`);
          return;
        }
        // An accepted glob compiles, and every path ends kept, dropped or noticed: never a hang.
        expect(() => picomatch(glob)).not.toThrow();
        const files = Object.fromEntries(paths.map((p) => [p, "import eventlet\n"]));
        const result = await reviewChange(memoryChange(files, yaml), { budget: { fileMs: 5000, jobMs: 60_000 } });
        expect(result.filesReviewed + result.notices.filter((n) => n.message.includes("glob")).length).toBeLessThanOrEqual(paths.length);
      }),
      { numRuns: 60 },
    );
  }, 180_000);
});
