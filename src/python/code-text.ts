/**
 * Python source with its comments and string literals blanked: what the rules' code-level triggers
 * (src/rules/types.ts) search, so `eventlet` in a docstring or `# monkey_patch` in a comment admits no
 * file to the parser. Blanked characters become spaces and line breaks stay, so positions and `^`
 * anchors keep their meaning. f-strings stay as they are: their `{…}` parts are code.
 */

/**
 * A comment, or a whole string literal with its prefix (terminated or not: an unterminated one ends at
 * its line, or at the end of the file for triple quotes). The alternatives are disjoint, so matching is
 * linear in the length of the text.
 */
const LITERAL =
  /#[^\r\n]*|([rRbBuUfF]{0,2})(?:"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|$)|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|$)|"(?:[^"\\\r\n]|\\[\s\S])*"?|'(?:[^'\\\r\n]|\\[\s\S])*'?)/g;

function blank(text: string): string {
  return text.replace(/[^\r\n]/g, " ");
}

export function codeText(text: string): string {
  return text.replace(LITERAL, (literal: string, prefix: string | undefined) => {
    if (literal.charCodeAt(0) === 35 /* # */) return blank(literal);
    if (prefix && /f/i.test(prefix)) return literal;
    return prefix + blank(literal.slice(prefix?.length ?? 0));
  });
}
