/** The shared words: severities order as the fail level compares them; the version is package.json's. */
import { readFileSync } from "node:fs";
import { SEVERITIES, severityRank } from "../../src/model/finding.js";
import { toolVersion } from "../../src/model/version.js";

test("severities rank info < warning < error", () => {
  expect(SEVERITIES.map(severityRank)).toEqual([0, 1, 2]);
  expect(severityRank("error")).toBeGreaterThan(severityRank("warning"));
});

test("the tool's version is package.json's", () => {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  expect(toolVersion()).toBe(version);
});
