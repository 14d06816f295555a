/**
 * ESLint-style RuleTester: `valid` snippets must produce no finding of the rule, `invalid` snippets
 * exactly the listed ones (line, optional column, severity and message fragment). Other files of the
 * project (parent `__init__.py`s) can be given per case.
 */
import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import type { Finding, Severity } from "../../src/model/finding.js";
import { configSchema } from "../../src/config/schema.js";
import type { Rule } from "../../src/rules/types.js";

export interface Case {
  code: string;
  /** Project-relative path of the snippet; default `pkg/module.py`. */
  path?: string;
  /** Other files of the project. */
  files?: Record<string, string>;
  /** Config overrides (YAML-shaped object). */
  config?: Record<string, unknown>;
  name?: string;
}

export interface ExpectedFinding {
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: Severity;
  message?: string | RegExp;
  related?: number[];
}

export interface InvalidCase extends Case {
  errors: ExpectedFinding[];
}

export function dedent(code: string): string {
  const lines = code.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

export async function findingsFor(rule: Rule, c: Case): Promise<Finding[]> {
  const path = c.path ?? "pkg/module.py";
  const config = configSchema.parse({ ...c.config, rules: { ...(c.config?.rules as object), [rule.meta.id]: "on" } });
  const analyzer = new Analyzer(config, new MemoryProjectFiles({ ...c.files, [path]: dedent(c.code) }), [rule]);
  const result = await analyzer.analyzeText(path, dedent(c.code));
  return result.findings.filter((f) => f.rule === rule.meta.id);
}

export function ruleTester(rule: Rule, cases: { valid: (Case | string)[]; invalid: InvalidCase[] }): void {
  describe(`${rule.meta.id} ${rule.meta.name}`, () => {
    describe("valid", () => {
      for (const [i, raw] of cases.valid.entries()) {
        const c = typeof raw === "string" ? { code: raw } : raw;
        test(c.name ?? `valid #${i + 1}: ${dedent(c.code).split("\n").find((l) => l.trim())}`, async () => {
          expect(await findingsFor(rule, c)).toEqual([]);
        });
      }
    });
    describe("invalid", () => {
      for (const [i, c] of cases.invalid.entries()) {
        test(c.name ?? `invalid #${i + 1}: ${dedent(c.code).split("\n").find((l) => l.trim())}`, async () => {
          const findings = await findingsFor(rule, c);
          expect(findings.map((f) => f.line)).toEqual(c.errors.map((e) => e.line));
          c.errors.forEach((expected, k) => {
            const f = findings[k];
            if (expected.column !== undefined) expect(f.column).toBe(expected.column);
            if (expected.endLine !== undefined) expect(f.endLine).toBe(expected.endLine);
            if (expected.endColumn !== undefined) expect(f.endColumn).toBe(expected.endColumn);
            expect(f.severity).toBe(expected.severity ?? rule.meta.severity);
            if (typeof expected.message === "string") expect(f.message).toContain(expected.message);
            else if (expected.message) expect(f.message).toMatch(expected.message);
            if (expected.related) expect((f.related ?? []).map((r) => r.line)).toEqual(expected.related);
            expect(f.section.url).toBe(rule.meta.section.url);
          });
        });
      }
    });
  });
}
