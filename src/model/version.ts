/** The tool's version: package.json's, or the one scripts/bundle.ts stamps into the single-file build. */
import { readFileSync } from "node:fs";

declare const EVENTLET_REVIEW_BUNDLED_VERSION: string | undefined;

let cached: string | undefined;

export function toolVersion(): string {
  if (typeof EVENTLET_REVIEW_BUNDLED_VERSION === "string") return EVENTLET_REVIEW_BUNDLED_VERSION;
  cached ??= (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  return cached;
}
