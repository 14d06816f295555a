import { readdirSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The floors of src/ (docs/design.md): a folder imports only the folders above it in LAYERS, and the
 * platforms never import each other (they share src/platforms/adapter.ts). ESLint's own
 * no-restricted-imports checks every import, `import type` too, and no-restricted-syntax every dynamic
 * `import()` of a literal path; test/lint/layers.test.ts shows a forbidden import of either kind
 * fails. One block per folder of src/, so a new subfolder is covered too.
 */
const LAYERS = ["model", "config", "diff", "python", "facts", "rules", "analyzer", "review", "formats", "platforms", "service", "cli"];
const PLATFORMS = ["github", "gerrit", "local"];

function layerBlocks() {
  const src = fileURLToPath(new URL("./src", import.meta.url));
  const dirs = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => relative(src, `${e.parentPath}/${e.name}`).split("\\").join("/"));
  return dirs.flatMap((dir) => {
    const parts = dir.split("/");
    const index = LAYERS.indexOf(parts[0]);
    if (index < 0) return [];
    const up = "\\.\\./".repeat(parts.length);
    const below = LAYERS.slice(index + 1);
    const patterns = below.length
      ? [{ regex: `^${up}(${below.join("|")})/`, message: `src/${parts[0]}/ imports only ${LAYERS.slice(0, index).join(", ") || "nothing of src/"} (docs/design.md)` }]
      : [];
    if (parts[0] === "platforms" && PLATFORMS.includes(parts[1])) {
      const others = PLATFORMS.filter((p) => p !== parts[1]);
      patterns.push({ regex: `^${"\\.\\./".repeat(parts.length - 1)}(${others.join("|")})/`, message: "a platform imports no other platform: share src/platforms/adapter.ts" });
    }
    if (!patterns.length) return [];
    // no-restricted-imports does not see `import("…")`: the same patterns as selectors on import
    // expressions (a string or the head of a template literal). esquery's regex cannot hold a `/`.
    const dynamic = patterns.flatMap(({ regex, message }) => {
      const re = regex.replaceAll("/", "\\x2F");
      return [
        { selector: `ImportExpression > Literal[value=/${re}/]`, message },
        { selector: `ImportExpression > TemplateLiteral > TemplateElement:first-child[value.raw=/${re}/]`, message },
      ];
    });
    return [{ files: [`src/${dir}/*.ts`], rules: { "no-restricted-imports": ["error", { patterns }], "no-restricted-syntax": ["error", ...dynamic] } }];
  });
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", "coverage/", "fixtures/", "dist-bundle/", "dist-python/", "flake8-eventlet-review/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  ...layerBlocks(),
);
