/** The SARIF 2.1.0 JSON schema as @microsoft/jest-sarif ships it, compiled once with ajv (draft-04). */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import AjvModule from "ajv-draft-04";
import addFormatsModule from "ajv-formats";

// Both are CommonJS whose module.exports is the function itself; NodeNext types see a namespace.
const Ajv = AjvModule as unknown as typeof AjvModule.default;
const addFormats = addFormatsModule as unknown as (ajv: InstanceType<typeof Ajv>) => void;
const require = createRequire(import.meta.url);

// schemastore's sarif-2.1.0-rtm.5 (the final 2.1.0 schema GitHub code scanning documents), JSON Schema draft-04.
const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
// The schema has a pattern that is invalid with the "u" flag (a stray "]" in the language tag).
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv); // uri, date-time: checked, not ignored

export const validateSarif = ajv.compile(schema);
