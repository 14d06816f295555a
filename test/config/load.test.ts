import { fileFilter } from "../../src/config/file-filter.js";
import { ConfigError, defaultConfig, parseConfig } from "../../src/config/load.js";

function errorOf(text: string): string {
  try {
    parseConfig(text, ".eventlet-review.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe(".eventlet-review.yaml", () => {
  test("an empty file is the defaults", () => {
    expect(parseConfig("")).toEqual(defaultConfig());
    expect(defaultConfig().fail_level).toBe("error");
  });

  test("a valid file", () => {
    const config = parseConfig("fail_level: warning\nrules:\n  EVL104: warning\n  EVL105: on\n  EVL301: {enabled: false}\nexclude: ['**/tests/**']\n");
    expect(config.fail_level).toBe("warning");
    expect(config.rules).toEqual({ EVL104: "warning", EVL105: "on", EVL301: { enabled: false } });
    expect(config.exclude).toEqual(["**/tests/**"]);
  });

  test("blanket_noqa is off by default and must be a boolean", () => {
    expect(defaultConfig().blanket_noqa).toBe(false);
    expect(parseConfig("blanket_noqa: true\n").blanket_noqa).toBe(true);
    expect(errorOf("blanket_noqa: yes please\n")).toContain("blanket_noqa");
  });

  test("an unknown top-level key is an error that names it", () => {
    expect(errorOf("fail_levle: warning\n")).toBe('.eventlet-review.yaml: unknown key "fail_levle"');
  });

  test("several unknown keys are all named", () => {
    expect(errorOf("foo: 1\nbar: 2\n")).toBe('.eventlet-review.yaml: unknown keys "foo", "bar"');
  });

  test("an unknown key inside a rule setting names the key and where it is", () => {
    expect(errorOf("rules:\n  EVL104: {enabled: true, severty: error}\n")).toContain('unknown key "severty" in rules.EVL104');
  });

  test("a bad rule id and a bad severity name their place", () => {
    expect(errorOf("rules:\n  E501: off\n")).toContain("rules.E501");
    expect(errorOf("fail_level: fatal\n")).toMatch(/^\.eventlet-review\.yaml: fail_level: /);
  });

  test("invalid YAML and a non-mapping top level are errors", () => {
    expect(errorOf("rules: [\n")).toMatch(/^\.eventlet-review\.yaml: invalid YAML: /);
    expect(errorOf("- a\n- b\n")).toBe(".eventlet-review.yaml: expected a mapping of settings at the top level");
  });
});

describe("default file filter", () => {
  const keep = fileFilter(defaultConfig());
  test.each([
    ["nova/cmd/__init__.py", true],
    ["nova/conf/__init__.py", true],
    ["pkg/conf.py", true],
    ["doc/ext/extra_specs.py", true],
    ["doc/source/conf.py", false],
    ["releasenotes/source/conf.py", false],
    ["api-ref/source/conf.py", false],
    [".tox/py3/lib/python3.11/site-packages/eventlet/patcher.py", false],
    ["build/lib/pkg/__init__.py", false],
    ["README.rst", false],
  ])("%s reviewed: %s", (path, expected) => {
    expect(keep(path)).toBe(expected);
  });
});
