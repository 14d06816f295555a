/**
 * tree-sitter (web) reports UTF-16 offsets; findings use 1-based code-point columns (as Ruff does).
 */
import type { Node } from "web-tree-sitter";
import type { Span } from "../model/finding.js";

function codePointColumn(text: string, lineStart: number, offset: number): number {
  let column = 0;
  for (let i = lineStart; i < offset; i++) {
    const unit = text.charCodeAt(i);
    // Count a surrogate pair once: skip the low half.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > lineStart) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    column++;
  }
  return column + 1;
}

export function spanOf(text: string, node: Node): Span {
  const start = node.startPosition;
  const end = node.endPosition;
  return {
    line: start.row + 1,
    column: codePointColumn(text, node.startIndex - start.column, node.startIndex),
    endLine: end.row + 1,
    endColumn: codePointColumn(text, node.endIndex - end.column, node.endIndex),
  };
}
