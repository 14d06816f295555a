/**
 * Validates request bodies against GitHub's own OpenAPI description (@octokit/openapi). Object schemas
 * are made strict (no properties beyond the documented ones), so a misspelled field fails the test
 * instead of being silently ignored by GitHub.
 */
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  pointer?: string;
}

let loaded: { ajv: Ajv; operations: Operation[] } | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Adds `additionalProperties: false` to plain object schemas (not to oneOf/anyOf/allOf branches). */
function tighten(schema: unknown, inBranch = false): void {
  if (Array.isArray(schema)) {
    for (const s of schema) tighten(s, inBranch);
    return;
  }
  if (typeof schema !== "object" || schema === null) return;
  const s = schema as Json;
  if (!inBranch && s.type === "object" && s.properties && s.additionalProperties === undefined && !s.oneOf && !s.anyOf && !s.allOf) {
    s.additionalProperties = false;
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === "oneOf" || key === "anyOf" || key === "allOf") tighten(value, true);
    else if (key === "properties") for (const p of Object.values(value as Json)) tighten(p, false);
    else if (key === "items") tighten(value, false);
  }
}

function load() {
  if (loaded) return loaded;
  const doc = require("@octokit/openapi/generated/api.github.com.json") as Json;
  const operations: Operation[] = [];
  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const [template, item] of Object.entries(paths)) {
    const pattern = new RegExp(`^${template.replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`);
    for (const [method, op] of Object.entries(item)) {
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const schema = body?.["application/json"]?.schema;
      if (schema) tighten(schema);
      const pointer = schema
        ? `#/paths/${template.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}/requestBody/content/application~1json/schema`
        : undefined;
      operations.push({ method: method.toUpperCase(), template, pattern, pointer });
    }
  }
  const components = (doc.components as Json).schemas as Json;
  for (const s of Object.values(components)) tighten(s);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(doc, "github");
  loaded = { ajv, operations };
  return loaded;
}

/** The OpenAPI path template for a request, e.g. `/repos/{owner}/{repo}/check-runs`. */
export function operationFor(method: string, path: string): Operation | undefined {
  const { operations } = load();
  const candidates = operations.filter((o) => o.method === method.toUpperCase() && o.pattern.test(path));
  // The most specific template: the one with the fewest parameters.
  return candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
}

/** Problems with a request body, empty when it matches GitHub's description. */
export function validateRequest(method: string, path: string, body: unknown): string[] {
  const op = operationFor(method, path);
  if (!op) return [`${method} ${path}: not an operation of GitHub's REST API`];
  if (!op.pointer) return body === undefined || body === "" ? [] : [`${method} ${op.template}: takes no JSON body`];
  let validate = compiled.get(op.pointer);
  if (!validate) {
    validate = load().ajv.compile({ $ref: `github${op.pointer}` });
    compiled.set(op.pointer, validate);
  }
  if (validate(body ?? {})) return [];
  return (validate.errors ?? []).map((e) => `${method} ${op.template}: ${e.instancePath || "(body)"} ${e.message} ${JSON.stringify(e.params)}`);
}
