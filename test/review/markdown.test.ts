/**
 * Text a change's author chooses (paths, code quoted in messages) must reach our Markdown as text. The
 * escapes are checked against the CommonMark rules they rely on (code spans 6.1, backslash escapes
 * 2.4), then a hostile finding goes through every body we build.
 */
import { configSchema } from "../../src/config/schema.js";
import { ChangedLines } from "../../src/diff/changed-lines.js";
import type { Finding } from "../../src/model/finding.js";
import { commentBody } from "../../src/review/comment.js";
import { mdCode, mdText } from "../../src/review/markdown.js";
import { NOT_INLINE } from "../../src/review/plan.js";
import type { ReviewResult } from "../../src/review/review.js";
import { checkSummary, checkText, gerritMessage } from "../../src/review/summary.js";

/** The literal text of a CommonMark code span (6.1): strip the fence, one space of padding each side. */
function codeSpanText(span: string): string {
  const fence = /^`+/.exec(span)![0];
  expect(span.endsWith(fence)).toBe(true);
  let inner = span.slice(fence.length, span.length - fence.length);
  // The inner text never holds a run of exactly the fence's length.
  for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length);
  if (inner.length > 2 && inner.startsWith(" ") && inner.endsWith(" ")) inner = inner.slice(1, -1);
  return inner;
}

test("mdCode keeps any path literal inside one code span", () => {
  for (const path of ["a.py", "x`y.py", "``.py", "`start.py", "end.py`", "a```b````c.py", "new\nline\r\n.py"]) {
    const span = mdCode(path);
    expect(span).not.toMatch(/[\r\n]/);
    expect(codeSpanText(span)).toBe(path.replace(/[\r\n]+/g, " "));
  }
});

test("mdText escapes every inline construct, flattens lines and breaks mentions", () => {
  const hostile = 'see [here](https://evil.example) ![i](x) <img src=x onerror=alert(1)> <!-- eventlet-review:00 --> *b* _i_ ~~s~~ `c` a|b &#64;x @org/team \\';
  const out = mdText(`${hostile}\n\n# heading`);
  expect(out).not.toMatch(/[\r\n]/);
  // Every active character is preceded by a backslash (CommonMark 2.4 backslash escapes).
  for (const [i, c] of [...out].entries()) {
    if ("[]<*`|&~".includes(c)) expect(out[i - 1]).toBe("\\");
  }
  expect(out).toContain("\\_i\\_");
  expect(out).toContain("@\u2060org");
  expect(out).not.toMatch(/(?<!\\)<!--/);
  // Words with underscores inside stay readable.
  expect(mdText("eventlet.monkey_patch() runs late")).toBe("eventlet.monkey_patch() runs late");
});

const hostile: Finding = {
  rule: "EVL301",
  name: "eventlet-unfriendly-db-driver",
  severity: "warning",
  path: "a`<img src=x onerror=alert(1)>`[x](https://evil.example).py",
  line: 3,
  column: 1,
  endLine: 3,
  endColumn: 5,
  message: "`mysql://u@h/<script>` is [MySQLdb](https://evil.example) @admins",
  section: { title: "Database drivers", url: "https://example.org/spec#db" },
};
const result: ReviewResult = {
  config: configSchema.parse({}),
  findings: [hostile],
  notices: [{ path: "b\n\n# <b>big</b>.py", message: "skipped: <b>too big</b>" }],
  changed: new ChangedLines(),
  filesReviewed: 1,
  outcome: "findings",
  factsLine: "eventlet: [evil](https://evil.example) (eventlet 0.36.1)",
};

test("no body we build carries the change's markup", () => {
  const bodies = [
    commentBody(hostile),
    checkText([{ finding: hostile, why: NOT_INLINE.noLine }], result.notices),
    checkSummary(result, "0123456789abcdef", { posted: 0, alreadyCommented: 0, resolved: 0, dismissed: 0 }),
    gerritMessage(result, 2, [{ path: hostile.path, line: 3, finding: hostile }], true, "", "eventlet-review recheck"),
  ];
  for (const body of bodies) {
    // Outside code spans, no raw tag, link or mention of the change's survives.
    const outside = body.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
    expect(outside).not.toMatch(/(?<!\\)<(img|script|b)\b/);
    expect(outside).not.toMatch(/(?<!\\)\[(x|MySQLdb|evil)(?<!\\)\]\(/);
    expect(outside).not.toMatch(/@admins/);
    expect(body).not.toMatch(/^# /m);
  }
});
