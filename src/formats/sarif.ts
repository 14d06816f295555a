/** SARIF 2.1.0 for GitHub code scanning; one `uriBaseId` per PATH given on the command line. */
import type { Log, Result } from "sarif";
import type { Finding, Notice, Severity } from "../model/finding.js";
import type { Rule } from "../rules/types.js";

const LEVEL: Record<Severity, NonNullable<Result["level"]>> = { error: "error", warning: "warning", info: "note" };

export interface SarifRoot {
  /** The id findings use in `uriBaseId`, e.g. "PATH1". */
  id: string;
  /** Absolute directory as a file:// URI ending in "/". */
  uri: string;
}

/** A relative path as a URI reference: each segment percent-encoded (`#`, `?`, `%`, spaces, non-ASCII). */
export function pathUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export function formatSarif(
  findings: readonly (Finding & { root?: string })[],
  rules: readonly Rule[],
  roots: readonly SarifRoot[],
  version: string,
  notices: readonly Notice[] = [],
): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  // Typed by @types/sarif (the SARIF 2.1.0 schema), so a misspelt or misplaced property does not compile.
  const sarif: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "eventlet-review",
            version,
            informationUri: "https://specs.openstack.org/openstack/openstack-specs/specs/eventlet-best-practices.html",
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: r.meta.name,
              shortDescription: { text: r.meta.summary },
              fullDescription: { text: r.meta.docs.what },
              helpUri: r.meta.section.url,
              help: { text: `${r.meta.docs.why}\n\nSee: ${r.meta.section.title} <${r.meta.section.url}>` },
              defaultConfiguration: { level: LEVEL[r.meta.severity], enabled: r.meta.enabledByDefault },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: notices.map((n) => ({
              level: "note",
              message: { text: n.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: pathUri(n.path) } } }],
            })),
          },
        ],
        columnKind: "unicodeCodePoints",
        originalUriBaseIds: Object.fromEntries(roots.map((r) => [r.id, { uri: r.uri }])),
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule) ?? -1,
          level: LEVEL[f.severity],
          message: { text: `${f.message} (${f.section.title}: ${f.section.url})` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: pathUri(f.path), ...(f.root ? { uriBaseId: f.root } : {}) },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
          ...(f.related?.length
            ? {
                relatedLocations: f.related.map((r, i) => ({
                  id: i + 1,
                  message: { text: r.message },
                  physicalLocation: {
                    artifactLocation: { uri: pathUri(r.path), ...(f.root ? { uriBaseId: f.root } : {}) },
                    region: { startLine: r.line },
                  },
                })),
              }
            : {}),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
