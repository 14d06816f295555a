/**
 * The analysis of one file: decode, pre-filter on the rules' trigger text, parse once, walk the
 * tree once dispatching to every enabled rule's visitors, then drop findings a `# noqa: EVL…` hides.
 */
import type { Node, Tree } from "web-tree-sitter";
import type { Config, RuleSetting } from "../config/schema.js";
import { ALL_RULES } from "../rules/index.js";
import type { AnalysisMode, FileGate, Rule, RuleContext, Trigger, Visitors } from "../rules/types.js";
import { triggersOf, TriggerSubject } from "../rules/triggers.js";
import { Screen, type Screened } from "./screen.js";
import { sameDistribution } from "../facts/distribution.js";
import { ProjectFacts } from "../facts/project-facts.js";
import { ImportTable } from "../python/imports.js";
import { resolveReExports } from "../facts/indirection.js";
import { nodesOfTypes } from "../python/node-query.js";
import { withTree, withTreeOf } from "../python/parser.js";
import { topLevelImports } from "../python/import-view.js";
import { spanOf } from "../python/positions.js";
import { CachedProjectFiles, type ProjectFiles } from "../python/project-files.js";
import { moduleRoles } from "../facts/roles.js";
import { isSuppressed } from "../python/suppression.js";
import type { Finding, Notice, Severity } from "../model/finding.js";

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
  /** The user set the severity: it wins over a rule's per-finding variants. */
  severityConfigured: boolean;
}

export function resolveRule(rule: Rule, setting: RuleSetting | undefined): ActiveRule | undefined {
  const base = { rule, severity: rule.meta.severity, severityConfigured: false };
  if (setting === undefined) return rule.meta.enabledByDefault ? base : undefined;
  if (setting === false || setting === "off") return undefined;
  if (setting === true || setting === "on") return base;
  if (typeof setting === "string") return { rule, severity: setting, severityConfigured: true };
  if (setting.enabled === false) return undefined;
  if (setting.enabled === undefined && !setting.severity && !rule.meta.enabledByDefault) return undefined;
  return setting.severity ? { rule, severity: setting.severity, severityConfigured: true } : base;
}

export function activeRules(config: Config, rules: readonly Rule[] = ALL_RULES): ActiveRule[] {
  const known = new Set(rules.map((r) => r.meta.id));
  for (const id of Object.keys(config.rules)) {
    if (!known.has(id)) throw new Error(`unknown rule ${id} in the "rules" setting`);
  }
  return rules.map((r) => resolveRule(r, config.rules[r.meta.id])).filter((r): r is ActiveRule => !!r);
}

/** True when `text` matches at least one of the triggers. */
export function matchesTriggers(text: string, triggers: readonly Trigger[]): boolean {
  return new TriggerSubject(text).matchesAny(triggers);
}

export interface FileResult {
  findings: Finding[];
  notices: Notice[];
  /** False when the pre-filter showed no rule could fire, so the file was never parsed. */
  parsed: boolean;
  /**
   * Set when the result may depend on more than the file's own text and the config: a rule's gate or
   * its analysis asked the project (other files, facts). A results cache must recheck those inputs.
   */
  project?: true;
  /** The bytes' contentHash (./content-hash.ts), when the analysis read them itself (Analysis.analyzeLocal). */
  hash?: string;
  /** With `hash`: the file's stamp when read (platforms/local/disk.ts fileStamp), for the results cache. */
  stamp?: string;
}

export interface AnalyzerOptions {
  /** `change` (default): a review, where diff scoping keeps what the change adds; `tree`: a whole-tree check. */
  mode?: AnalysisMode;
}

export class Analyzer {
  readonly rules: ActiveRule[];
  /** Decoding and the triggers: what a file needs before its gates and its parse (./screen.ts). */
  readonly screen: Screen;
  private readonly project: ProjectFiles;
  private projectFacts?: ProjectFacts;

  constructor(
    readonly config: Config,
    project: ProjectFiles,
    rules: readonly Rule[] = ALL_RULES,
    readonly options: AnalyzerOptions = {},
  ) {
    this.rules = activeRules(config, rules);
    this.screen = new Screen(config, this.rules.map((r) => ({ id: r.rule.meta.id, triggers: triggersOf(r.rule, config) })));
    this.project = project instanceof CachedProjectFiles ? project : new CachedProjectFiles(project);
  }

  /** The project's facts, computed on first use and shared by every file this Analyzer reviews. */
  facts(): ProjectFacts {
    this.projectFacts ??= new ProjectFacts(this.project, this.config);
    return this.projectFacts;
  }

  /** Analyzes raw file bytes: binary, oversized and undecodable files become notices. */
  analyzeBytes(path: string, bytes: Uint8Array): Promise<FileResult> {
    return this.analyzeScreened(path, this.screen.bytes(bytes));
  }

  analyzeText(path: string, text: string): Promise<FileResult> {
    return this.analyzeScreened(path, this.screen.text(text));
  }

  /** Goes on from a file's screening, here or on another thread (Screen, with this Analyzer's config and rules). */
  async analyzeScreened(path: string, screened: Screened): Promise<FileResult> {
    if (screened.kind === "skipped") return { findings: [], notices: [{ path, message: screened.reason }], parsed: false };
    if (screened.kind === "clean") return { findings: [], notices: [], parsed: false };
    const matched = this.matchedBy(screened);
    const { text } = screened;
    const gate = this.gate(path, text);
    const rules = await this.gated(path, text, matched, gate);
    if (rules.length === 0) return { findings: [], notices: [], parsed: false, ...(matched.some((r) => r.rule.admits) ? { project: true as const } : {}) };
    const analyze = (tree: Tree) => this.analyzeTree(path, text, tree, rules);
    return rules.every((r) => r.rule.importsOnly?.(gate)) ? withTreeOf(text, topLevelImports(text), analyze) : withTree(text, analyze);
  }

  /**
   * The enabled rules that can fire in this file: one of their triggers matches, and their own gate
   * (roles, project facts) agrees. The others are not run at all; with none left the file is not parsed.
   */
  async admittedRules(path: string, text: string): Promise<ActiveRule[]> {
    const screened = this.screen.text(text);
    return screened.kind === "candidate" ? this.gated(path, text, this.matchedBy(screened)) : [];
  }

  /** The enabled rules a candidate's triggers matched. */
  private matchedBy(screened: Extract<Screened, { kind: "candidate" }>): ActiveRule[] {
    return this.rules.filter((r) => screened.rules.includes(r.rule.meta.id));
  }

  private gate(path: string, text: string): FileGate {
    const config = this.config;
    let roles: FileGate["roles"] | undefined;
    return {
      path,
      text,
      get roles() {
        return (roles ??= moduleRoles(path, text, config));
      },
      config,
      mode: this.options.mode ?? "change",
      facts: () => this.facts(),
    };
  }

  private async gated(path: string, text: string, rules: ActiveRule[], gate = this.gate(path, text)): Promise<ActiveRule[]> {
    if (rules.length === 0 || !rules.some((r) => r.rule.admits)) return rules;
    const admits = await Promise.all(rules.map((r) => r.rule.admits?.(gate) ?? true));
    return rules.filter((_, i) => admits[i]);
  }

  private async analyzeTree(path: string, text: string, tree: Tree, rules: readonly ActiveRule[]): Promise<FileResult> {
    const lines = text.split(/\r?\n|\r/);
    const imports = new ImportTable(tree.rootNode);
    // `from swift.common.concurrency import eventlet`: names a project module re-exports from eventlet are eventlet's.
    await resolveReExports(imports, this.project);
    const roles = moduleRoles(path, text, this.config);
    const findings: Finding[] = [];
    /** The distribution each finding judges, for dropping those about the project itself. */
    const subjects = new Map<Finding, string>();
    const notices: Notice[] = [];
    if (tree.rootNode.hasError) {
      const line = firstErrorLine(tree.rootNode);
      notices.push({ path, message: `syntax error near line ${line}; analyzed as far as it parses` });
    }

    const visitorsByType = new Map<string, ((node: Node) => void)[]>();
    const exits: (() => void | Promise<void>)[] = [];
    for (const active of rules) {
      const { meta } = active.rule;
      const context: RuleContext = {
        path,
        text,
        imports,
        roles,
        config: this.config,
        project: this.project,
        facts: () => this.facts(),
        mode: this.options.mode ?? "change",
        severity: active.severity,
        line: (i) => lines[i] ?? "",
        report: (report) => {
          const span = spanOf(text, report.node);
          if (isSuppressed(lines, meta.id, span.line, span.line, { blanket: this.config.blanket_noqa })) return;
          const finding: Finding = {
            rule: meta.id,
            name: meta.name,
            severity: active.severityConfigured ? active.severity : (report.severity ?? active.severity),
            path,
            ...span,
            message: report.message,
            section: meta.section,
          };
          if (report.related?.length) finding.related = report.related;
          if (report.fix) finding.fix = { line: span.line, endLine: span.endLine, ...report.fix };
          findings.push(finding);
          subjects.set(finding, report.subject ?? meta.subject ?? "eventlet");
        },
      };
      const visitors: Visitors = active.rule.create(context);
      for (const [type, visitor] of Object.entries(visitors)) {
        if (!visitor) continue;
        if (type === "module:exit") exits.push(visitor as () => void | Promise<void>);
        else {
          const list = visitorsByType.get(type) ?? [];
          list.push(visitor as (node: Node) => void);
          visitorsByType.set(type, list);
        }
      }
    }

    walk(tree.rootNode, visitorsByType);
    for (const exit of exits) await exit();
    const own = findings.length ? (await this.facts().distribution())?.name : undefined;
    if (own) findings.splice(0, findings.length, ...findings.filter((f) => !sameDistribution(subjects.get(f)!, own)));
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    return { findings, notices, parsed: true, project: true };
  }
}

/** Every node of the types some rule listens to, in pre-order, each handed to that type's visitors. */
function walk(root: Node, visitors: Map<string, ((node: Node) => void)[]>): void {
  if (visitors.size === 0) return;
  for (const node of nodesOfTypes(root, [...visitors.keys()])) {
    for (const visit of visitors.get(node.type)!) visit(node);
  }
}

function firstErrorLine(node: Node): number {
  if (node.type === "ERROR" || node.isMissing) return node.startPosition.row + 1;
  for (const child of node.children) {
    if (child?.hasError || child?.isMissing) return firstErrorLine(child);
  }
  return node.startPosition.row + 1;
}
