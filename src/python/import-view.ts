/**
 * A module's top-level import statements, as the ranges tree-sitter may parse alone (`includedRanges`):
 * the statements keep their offsets, lines and columns, and the rest of the text is skipped. A rule
 * that needs only these statements in a file (Rule.importsOnly) has them parsed instead of the whole
 * file: a test module of 650 KB that imports a retired oslo.service module on line 32 costs the parse
 * of its import lines.
 */
import type { Point, Range } from "web-tree-sitter";
import { codeText } from "./code-text.js";

const IMPORT_LINE = /^(?:import|from)\b/;

/** Where the statement that starts at `start` (a line start) ends: the end of its last line, brackets and `\` continuations followed. */
function statementEnd(code: string, start: number): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++; // ( [ {
    else if (c === 41 || c === 93 || c === 125) depth = Math.max(0, depth - 1);
    else if (c === 10 || c === 13) {
      const continued = code.charCodeAt(i - 1) === 92; // a backslash before the line break
      if (c === 13 && code.charCodeAt(i + 1) === 10) i++;
      if (depth === 0 && !continued) return i + 1;
    }
  }
  return code.length;
}

/** The start of the line after the one at `start` (`\n`, `\r\n` and a lone `\r` end lines, as Python reads them). */
function nextLine(code: string, start: number): number {
  for (let i = start; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return code.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return code.length;
}

/** Where `index` is as tree-sitter counts: rows end at `\n` only, columns in UTF-16 code units. */
function pointAt(text: string, index: number, from: { index: number; row: number }): Point {
  let row = from.row;
  for (let i = text.indexOf("\n", from.index); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) row++;
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  return { row, column: index - lineStart };
}

/**
 * The ranges of `text` that hold its import statements at column 0 (see above), for tree-sitter's
 * `includedRanges`; `code` is its codeText. Empty when there are none (an empty list would mean the
 * whole text to tree-sitter).
 */
export function topLevelImports(text: string, code = codeText(text)): Range[] {
  const ranges: Range[] = [];
  // Rows are counted from the last point found, so the whole text is scanned once.
  let last = { index: 0, row: 0 };
  for (let line = 0; line < code.length; ) {
    if (!IMPORT_LINE.test(code.slice(line, line + 7))) {
      line = nextLine(code, line);
      continue;
    }
    const end = statementEnd(code, line);
    const previous = ranges[ranges.length - 1];
    if (previous && previous.endIndex === line) {
      previous.endIndex = end;
      previous.endPosition = pointAt(text, end, last);
    } else {
      const startPosition = pointAt(text, line, last);
      ranges.push({ startIndex: line, endIndex: end, startPosition, endPosition: pointAt(text, end, { index: line, row: startPosition.row }) });
    }
    last = { index: end, row: ranges[ranges.length - 1].endPosition.row };
    line = end;
  }
  return ranges;
}

/** Whether the match at `index` of `code` lies on the first line of a column-0 import statement. */
export function onTopLevelImportLine(code: string, index: number): boolean {
  const start = Math.max(code.lastIndexOf("\n", index - 1), code.lastIndexOf("\r", index - 1)) + 1;
  return IMPORT_LINE.test(code.slice(start, start + 7));
}
