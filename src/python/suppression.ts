/** flake8-style `# noqa` and `# noqa: EVL104,EVL301` comments, on the finding's own lines. */

const NOQA = /#\s*noqa(?::\s*((?:[A-Z]+[0-9]+[,\s]*)+))?/i;

export function isSuppressed(lines: readonly string[], rule: string, line: number, endLine: number): boolean {
  for (let i = line; i <= endLine && i <= lines.length; i++) {
    const text = lines[i - 1];
    if (!text || !text.includes("#")) continue;
    const match = NOQA.exec(text);
    if (!match) continue;
    if (!match[1]) return true;
    const codes = match[1].split(/[,\s]+/).filter(Boolean).map((c) => c.toUpperCase());
    if (codes.includes(rule)) return true;
  }
  return false;
}
