/**
 * A rule is one module: `meta` (everything that is not logic: id, name, severity, spec section,
 * docs, the source text it needs) and `create(context)`, which returns visitors keyed by node type.
 * The analyzer walks each tree once and calls the visitors; rules never walk the tree themselves.
 */
import type { Node } from "web-tree-sitter";
import type { Config } from "../config/schema.js";
import type { ImportTable } from "../python/imports.js";
import type { ProjectFiles } from "../python/project-files.js";
import type { ProjectFacts } from "../facts/project-facts.js";
import type { ModuleRoles } from "../facts/roles.js";
import type { Fix, RelatedLocation, Severity, SpecSection } from "../model/finding.js";

export interface RuleDocs {
  /** What it does: one paragraph. */
  what: string;
  /** Why is this bad: the spec's reasoning in our words. */
  why: string;
  /** Python that triggers the rule. */
  example: string;
  /** Python that does not. */
  useInstead: string;
  /** Where today's eventlet or oslo differs from the spec, and other notes. */
  notes?: string;
}

/**
 * A pattern a rule needs in a file before it can fire. `code` patterns search the file with its
 * comments and string literals blanked (src/python/code-text.ts), so prose that names an API admits
 * nothing; `text` patterns search the whole text (URLs and option names that rules read inside strings).
 */
export interface TriggerPattern {
  scope: "code" | "text";
  pattern: RegExp;
}

/** Patterns that must all match. The analyzer parses a file only when some enabled rule's trigger matches. */
export type Trigger = readonly TriggerPattern[];

export interface RuleMeta {
  id: string;
  name: string;
  severity: Severity;
  enabledByDefault: boolean;
  section: SpecSection;
  /** Necessary conditions on the file's text, one of which must hold for the rule to fire; some depend on the config. */
  triggers: readonly Trigger[] | ((config: Config) => readonly Trigger[]);
  /** One line for listings. */
  summary: string;
  /**
   * The distribution whose use the rule judges (default `eventlet`). A project is never told about
   * its own distribution: eventlet's tree gets no finding about eventlet use.
   */
  subject?: string;
  docs: RuleDocs;
}

export interface Report {
  node: Node;
  message: string;
  /** Overrides the configured severity for this finding (for example: a warning-level variant). */
  severity?: Severity;
  related?: RelatedLocation[];
  /** The distribution this finding judges the use of, when not the rule's `subject` (EVL503: oslo.messaging). */
  subject?: string;
  fix?: Omit<Fix, "line" | "endLine"> & { line?: number; endLine?: number };
}

export interface RuleContext {
  path: string;
  text: string;
  imports: ImportTable;
  roles: ModuleRoles;
  config: Config;
  project: ProjectFiles;
  /** The configured severity of this rule. */
  severity: Severity;
  report(report: Report): void;
  /** Lines of the file (0-based index), for fixes. */
  line(index: number): string;
  /** Project facts (versions, concurrency models), computed lazily once per Analyzer. */
  facts?(): ProjectFacts;
  /** `change`: a review of a change (diff scoping decides what is new); `tree`: a whole-tree check. */
  mode?: AnalysisMode;
}

export type AnalysisMode = "tree" | "change";

export type Visitor = (node: Node) => void;
export interface Visitors {
  [nodeType: string]: Visitor | (() => void | Promise<void>) | undefined;
  /** Runs after the walk; may read other files of the project. */
  "module:exit"?: () => void | Promise<void>;
}

/** What a rule may ask before the file is parsed: its text, its roles and the project's facts. */
export interface FileGate {
  path: string;
  text: string;
  roles: ModuleRoles;
  config: Config;
  mode: AnalysisMode;
  facts(): ProjectFacts;
}

export interface Rule {
  meta: RuleMeta;
  /**
   * A further necessary condition, asked once a trigger matched and before parsing: false means the rule
   * cannot fire in this file (EVL501 without the threading backend, EVL103 outside WSGI code).
   */
  admits?(file: FileGate): boolean | Promise<boolean>;
  /**
   * True when, in this file, the rule can only fire on the module's top-level import statements: when
   * every rule admitted to a file says so, the parse sees those statements alone
   * (src/python/import-view.ts), at their own positions, while the rules still read the whole text.
   */
  importsOnly?(file: FileGate): boolean;
  create(context: RuleContext): Visitors;
}
