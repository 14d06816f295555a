/**
 * Text from a change (paths, and messages that quote its code, names or config) put into Markdown that
 * GitHub or Gerrit renders. A path is chosen by the change's author: unescaped, a name such as
 * "x.py`<img src=…>" or "[click](https://…)" would become markup in our check run or review, and
 * "@org/team" a mention. Every piece of text that did not come from us goes through one of these.
 */

/** Line breaks and other control characters: a path with a newline must not start a new block. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * An inline code span holding `text` literally: no markup, HTML, link or mention inside. Uses a
 * backtick fence longer than any run of backticks in the text (CommonMark 6.1), padded with spaces
 * when the text starts or ends with a backtick.
 */
export function mdCode(text: string): string {
  const flat = text.replace(CONTROL, " ");
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * ASCII punctuation that opens inline Markdown or HTML (code, emphasis, links and images, autolinks and
 * tags, GFM strikethrough and table cells, entities such as `&#64;`), escaped with a backslash
 * (CommonMark 2.4). `_` only where it can delimit emphasis: `monkey_patch` stays as it is. Callers put
 * this text mid-line, so line-start markers (`#`, `-`, `>`, `1.`) cannot open a block, and with `<`
 * escaped a `>` closes nothing (`eventlet >= 0.36` stays readable).
 */
const ACTIVE = /[\\`*[\]<|~&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;

/**
 * Prose taken literally: Markdown punctuation backslash-escaped, line breaks flattened, and an `@`
 * before a name broken with a word joiner (GitHub links mentions after rendering, so a backslash
 * would not stop the notification).
 */
export function mdText(text: string): string {
  return text
    .replace(CONTROL, " ")
    .replace(ACTIVE, (c) => `\\${c}`)
    .replace(/@(?=[\w-])/g, "@\u2060");
}
