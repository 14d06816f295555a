/** text, json and SARIF output; SARIF is validated against the SARIF 2.1.0 JSON schema. */
import type { Finding } from "../../src/model/finding.js";
import { formatJson } from "../../src/formats/json.js";
import { formatSarif, pathUri } from "../../src/formats/sarif.js";
import { formatTextFinding, formatTextSummary } from "../../src/formats/text.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { validateSarif as validate } from "./sarif-schema.js";

const section = { title: "Eventlet Best Practices: Monkey Patching", url: "https://specs.openstack.org/x.html#monkey-patching" };

const findings: (Finding & { root: string })[] = [
  {
    rule: "EVL101",
    name: "monkey-patch-not-first",
    severity: "error",
    path: "nova/cmd/api.py",
    line: 4,
    column: 1,
    endLine: 4,
    endColumn: 24,
    message: "eventlet.monkey_patch() runs after import logging (line 1): move the patch above it.",
    section,
    related: [{ path: "nova/cmd/api.py", line: 1, message: "import logging runs before the patch" }],
    root: "PATH1",
  },
  {
    rule: "EVL301",
    name: "eventlet-unfriendly-db-driver",
    severity: "warning",
    path: "odd dir/caf\u00e9#1.py",
    line: 2,
    column: 7,
    endLine: 2,
    endColumn: 23,
    message: "use mysql+pymysql://.",
    section,
    fix: { line: 2, endLine: 2, replacement: 'URL = "mysql+pymysql://h"', safety: "safe", description: "use PyMySQL" },
    root: "PATH2",
  },
  { rule: "EVL105", name: "monkey-patch-without-opt-out", severity: "info", path: "x.py", line: 1, column: 1, endLine: 1, endColumn: 5, message: "m", section, root: "PATH1" },
];

describe("text", () => {
  test("flake8's shape with the severity word, without colour", () => {
    expect(formatTextFinding(findings[0])).toBe(`nova/cmd/api.py:4:1: EVL101 [${findings[0].severity}] ${findings[0].message}`);
  });

  test("the closing count names each severity present", () => {
    const error = { ...findings[0], severity: "error" as const };
    const warning = { ...findings[0], severity: "warning" as const };
    expect(formatTextSummary([error, warning, error], 12)).toBe("Found 3 findings (2 errors, 1 warning) in 12 files.");
    expect(formatTextSummary([warning], 1, 1)).toBe("Found 1 finding (1 warning) in 1 file (1 parsed).");
    expect(formatTextSummary([], 300, 0)).toBe("No findings in 300 files (0 parsed).");
  });

  test("colour wraps the path, the rule id and the severity, and nothing else changes", () => {
    const coloured = formatTextFinding(findings[1], { color: true });
    expect(coloured).not.toBe(formatTextFinding(findings[1]));
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g"), "")).toBe(formatTextFinding(findings[1]));
  });
});

describe("json", () => {
  test("{findings: [...]} with the documented keys, plus related and fix when present", () => {
    const parsed = JSON.parse(formatJson(findings)) as { findings: Record<string, unknown>[] };
    expect(parsed.findings).toHaveLength(3);
    expect(Object.keys(parsed.findings[2])).toEqual(["rule", "name", "severity", "path", "line", "column", "endLine", "endColumn", "message", "section"]);
    expect(parsed.findings[2].section).toEqual(section);
    expect(parsed.findings[0].related).toEqual(findings[0].related);
    expect(parsed.findings[1].fix).toEqual(findings[1].fix);
    expect(parsed.findings[0]).not.toHaveProperty("root");
  });
});

describe("sarif", () => {
  const roots = [
    { id: "PATH1", uri: "file:///src/nova/" },
    { id: "PATH2", uri: "file:///src/other/" },
  ];

  test("is valid SARIF 2.1.0 against the schema", () => {
    const sarif = JSON.parse(formatSarif(findings, ALL_RULES, roots, "1.2.3", [{ path: "bin.py", message: "skipped: binary file" }]));
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test("an empty run is valid too", () => {
    expect(validate(JSON.parse(formatSarif([], ALL_RULES, [{ id: "PATH1", uri: "file:///x/" }], "0.0.0")))).toBe(true);
  });

  test("the validator does reject a broken log", () => {
    const sarif = JSON.parse(formatSarif(findings, ALL_RULES, roots, "1.2.3"));
    sarif.runs[0].results[0].level = "fatal";
    delete sarif.runs[0].tool.driver.name;
    expect(validate(sarif)).toBe(false);
  });

  test("what GitHub code scanning reads: rules, levels, locations under each PATH, code-point columns", () => {
    const sarif = JSON.parse(formatSarif(findings, ALL_RULES, roots, "1.2.3"));
    const run = sarif.runs[0];
    expect(sarif.version).toBe("2.1.0");
    expect(run.columnKind).toBe("unicodeCodePoints");
    expect(run.originalUriBaseIds).toEqual({ PATH1: { uri: "file:///src/nova/" }, PATH2: { uri: "file:///src/other/" } });
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(ALL_RULES.map((r) => r.meta.id));
    expect(run.results.map((r: { level: string }) => r.level)).toEqual(["error", "warning", "note"]);
    const [first, second] = run.results;
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe("EVL101");
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "nova/cmd/api.py", uriBaseId: "PATH1" },
      region: { startLine: 4, startColumn: 1, endLine: 4, endColumn: 24 },
    });
    expect(first.relatedLocations[0].physicalLocation.region).toEqual({ startLine: 1 });
    expect(second.locations[0].physicalLocation.artifactLocation).toEqual({ uri: "odd%20dir/caf%C3%A9%231.py", uriBaseId: "PATH2" });
    expect(first.message.text).toContain(section.url);
  });

  test("pathUri encodes each segment and keeps the separators", () => {
    expect(pathUri("a b/c?d/e#f%.py")).toBe("a%20b/c%3Fd/e%23f%25.py");
    expect(decodeURIComponent(pathUri("nova/café.py"))).toBe("nova/café.py");
  });
});
