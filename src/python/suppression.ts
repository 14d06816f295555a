/**
 * `# noqa: EVL104,EVL3` comments on a finding's own lines. Codes are prefixes, as in flake8
 * (`EVL3` covers EVL301). A bare `# noqa` belongs to flake8: OpenStack writes it on patch lines for
 * E402/E702, so it hides our findings only when the config opts into flake8's blanket meaning.
 */

/** flake8's own pattern (`# noqa(?::[\s]?(?P<codes>…))?`), a little laxer about spaces. */
const NOQA = /#\s*noqa(?::\s*((?:[A-Z]+[0-9]+(?:[,\s]+)?)+))?/i;

export interface SuppressionOptions {
  /** `blanket_noqa: true`: a bare `# noqa` hides every finding on its line. */
  blanket?: boolean;
}

/** The codes a `# noqa` comment lists (upper-cased), `[]` for a bare one, undefined for none. */
export function noqaCodes(text: string): string[] | undefined {
  if (!text.includes("#")) return undefined;
  const match = NOQA.exec(text);
  if (!match) return undefined;
  if (!match[1]) return [];
  return match[1].split(/[,\s]+/).filter(Boolean).map((c) => c.toUpperCase());
}

export function isSuppressed(lines: readonly string[], rule: string, line: number, endLine: number, options: SuppressionOptions = {}): boolean {
  for (let i = line; i <= endLine && i <= lines.length; i++) {
    const codes = noqaCodes(lines[i - 1] ?? "");
    if (!codes) continue;
    if (codes.length === 0 ? options.blanket : codes.some((code) => rule.startsWith(code))) return true;
  }
  return false;
}
