import picomatch from "picomatch";
import { fileFilter, globMatcher } from "../../src/config/file-filter.js";
import { DEFAULT_EXCLUDE } from "../../src/config/schema.js";
import { defaultConfig } from "../../src/config/load.js";

const GLOBS = [
  "**/*.py",
  ...DEFAULT_EXCLUDE,
  "nova/tests/**",
  "*.py",
  "pkg/cmd/*.py",
  "**/test_*.py",
  "{a,b}/**/x?.py",
  "pkg/[ab]*.py",
  "**/.hidden/**",
  "literal/path.py",
  "!(tests)/**/*.py",
  "a+b/(c)/*.py",
  "./pkg/*.py",
  "pkg/./cmd/**",
  "x?y/**/conf.py",
  "**/ab?cd?ef/**",
  "./*",
  "**/a.b-c/**",
  "**",
];

const PATHS = [
  "",
  "setup.py",
  "pkg/cmd/api.py",
  "pkg/cmd/sub/api.py",
  "nova/tests/unit/test_x.py",
  "nova/tests/",
  "nova/tests/x",
  ".tox/py3/lib/x.py",
  "a/.tox/b.py",
  "node_modules/x.py",
  "build/",
  "build/x",
  "doc/source/conf.py",
  "docs/conf.py",
  "pkg/doc/conf.py",
  "releasenotes/source/conf.py",
  "api-ref/source/conf.py",
  "a/b/x1.py",
  "b/x1.py",
  "c/x1.py",
  "pkg/a1.py",
  "pkg/c1.py",
  "x/.hidden/y.py",
  ".hidden.py",
  "literal/path.py",
  "tests/a/b.py",
  "src/a/b.py",
  "a+b/(c)/d.py",
  "venv/lib/site.py",
  "pkg/.venv/",
  "weird name/ü.py",
];

describe("globMatcher", () => {
  it("matches every path as picomatch does, glob by glob and for the whole list", () => {
    for (const glob of GLOBS) {
      const ours = globMatcher([glob]);
      const theirs = picomatch(glob, { dot: true });
      for (const path of PATHS) expect([glob, path, ours(path)]).toEqual([glob, path, theirs(path)]);
    }
    const ours = globMatcher(GLOBS);
    const theirs = picomatch(GLOBS, { dot: true });
    for (const path of PATHS) expect([path, ours(path)]).toEqual([path, theirs(path)]);
  });

  it("agrees with picomatch on every path built from segments that look like its needles", () => {
    // The matcher skips its search when a path holds no glob's longest literal run: a run it got
    // wrong (a `.` segment, a run split by a wildcard) would lose matches here.
    const segments = ["pkg", "cmd", ".", "..", "x1y", "xy", "conf.py", "a.b-c", "build", ".tox", "api.py", "p", "ab1cd2ef"];
    const paths = segments.flatMap((a) => segments.flatMap((b) => [a, `${a}/${b}`, `${a}/${b}/`, `${a}/x/${b}`]));
    for (const glob of GLOBS) {
      const ours = globMatcher([glob]);
      const theirs = picomatch(glob, { dot: true });
      for (const path of paths) expect([glob, path, ours(path)]).toEqual([glob, path, theirs(path)]);
    }
  });

  it("matches nothing with no globs", () => {
    expect(globMatcher([])("a.py")).toBe(false);
  });

  it("keeps the default filter's answers", () => {
    const keep = fileFilter(defaultConfig());
    expect(PATHS.filter(keep)).toEqual(["setup.py", "pkg/cmd/api.py", "pkg/cmd/sub/api.py", "nova/tests/unit/test_x.py", "a/b/x1.py", "b/x1.py", "c/x1.py", "pkg/a1.py", "pkg/c1.py", "x/.hidden/y.py", ".hidden.py", "literal/path.py", "tests/a/b.py", "src/a/b.py", "a+b/(c)/d.py", "weird name/ü.py"]);
  });
});
