/**
 * Python source with its comments and string literals blanked: what the rules' code-level triggers
 * (src/rules/types.ts) search, so `eventlet` in a docstring or `# monkey_patch` in a comment admits no
 * file to the parser. Blanked characters become spaces and line breaks stay, so positions and `^`
 * anchors keep their meaning. f-strings stay as they are: their `{…}` parts are code.
 */

/**
 * A comment, or a whole string literal (terminated or not: an unterminated one ends at its line, or at
 * the end of the file for triple quotes). Each alternative starts with its own character and they are
 * disjoint, so the search is linear in the length of the text.
 */
const LITERAL = /#[^\r\n]*|"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|$)|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|$)|"(?:[^"\\\r\n]|\\[\s\S])*"?|'(?:[^'\\\r\n]|\\[\s\S])*'?/g;

/** The letters before a quote that make an f-string (`f`, `rf`, `Fr`…), when they are not the end of a longer name. */
function isFString(text: string, quote: number): boolean {
  let i = quote - 1;
  let f = false;
  for (let n = 0; n < 2 && i >= 0; n++, i--) {
    const c = text.charCodeAt(i) | 0x20; // lower case
    if (c === 0x66 /* f */) f = true;
    else if (c !== 0x72 /* r */ && c !== 0x62 /* b */ && c !== 0x75 /* u */) break;
  }
  return f;
}

function blank(literal: string): string {
  if (!literal.includes("\n") && !literal.includes("\r")) return " ".repeat(literal.length);
  return literal.replace(/[^\r\n]+/g, (run) => " ".repeat(run.length));
}

export function codeText(text: string): string {
  const parts: string[] = [];
  let last = 0;
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(text); m; m = LITERAL.exec(text)) {
    const literal = m[0];
    const start = m.index;
    if (literal.charCodeAt(0) !== 35 /* # */ && isFString(text, start)) continue;
    parts.push(text.slice(last, start), blank(literal));
    last = start + literal.length;
  }
  if (last === 0) return text;
  parts.push(text.slice(last));
  return parts.join("");
}
