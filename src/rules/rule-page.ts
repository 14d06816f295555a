/** One rule's page, from its metadata only: `docs/rules/<id>.md` and `eventlet-review explain`. */
import type { Rule } from "./types.js";

export function renderRulePage(rule: Rule): string {
  const { meta } = rule;
  const d = meta.docs;
  const lines = [
    `# ${meta.id} ${meta.name}`,
    "",
    `Default severity: **${meta.severity}**${meta.enabledByDefault ? "" : " (off by default)"}. ` +
      `Spec: [${meta.section.title}](${meta.section.url})`,
    "",
    "## What it does",
    "",
    d.what,
    "",
    "## Why is this bad?",
    "",
    d.why,
    "",
    "## Example",
    "",
    "```python",
    d.example.trimEnd(),
    "```",
    "",
    "## Use instead",
    "",
    "```python",
    d.useInstead.trimEnd(),
    "```",
    "",
  ];
  if (d.notes) lines.push("## Notes", "", d.notes, "");
  lines.push(
    "## Options",
    "",
    `Turn it off or change its severity in \`.eventlet-review.yaml\` (\`rules: {${meta.id}: off}\` or ` +
      `\`rules: {${meta.id}: warning}\`), or on one line with \`# noqa: ${meta.id}\` (a prefix such as ` +
      `\`# noqa: ${meta.id.slice(0, 4)}\` works too, as in flake8). A bare \`# noqa\` is flake8's and does not hide ` +
      "it, unless the config sets `blanket_noqa: true`.",
    "",
    "## References",
    "",
    `- [${meta.section.title}](${meta.section.url})`,
    "",
  );
  return lines.join("\n");
}

export function renderRuleIndex(rules: readonly Rule[]): string {
  const rows = rules.map(
    (r) => `| [${r.meta.id}](${r.meta.id}.md) | ${r.meta.name} | ${r.meta.severity}${r.meta.enabledByDefault ? "" : " (off)"} | ${r.meta.summary} |`,
  );
  return ["# Rules", "", "Generated from the rule modules by `npm run docs`.", "", "| id | name | default | flags |", "|---|---|---|---|", ...rows, ""].join("\n");
}
