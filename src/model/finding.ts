/** The shapes every part of eventlet-review shares: severities, spec sections, findings. */

export const SEVERITIES = ["info", "warning", "error"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The spec section a rule enforces, with a deep link to it. */
export interface SpecSection {
  title: string;
  url: string;
}

/** A 1-based line/column span; columns count code points, `endColumn` is exclusive. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Another place that matters to a finding (EVL101: a statement that runs before the patch). */
export interface RelatedLocation {
  path: string;
  line: number;
  message: string;
}

/** A mechanical replacement of the finding's own lines. `safe` fixes may be offered as suggestions. */
export interface Fix {
  /** Whole new text for lines `line`..`endLine` of the finding (without the trailing newline). */
  replacement: string;
  line: number;
  endLine: number;
  safety: "safe" | "unsafe";
  description: string;
}

export interface Finding extends Span {
  rule: string;
  name: string;
  severity: Severity;
  path: string;
  message: string;
  section: SpecSection;
  related?: RelatedLocation[];
  fix?: Fix;
}

/** A file the analyzer could not read as Python source; reported, never fatal. */
export interface Notice {
  path: string;
  message: string;
}
