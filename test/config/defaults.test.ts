import { defaultConfig } from "../../src/config/defaults.js";
import { configSchema } from "../../src/config/schema.js";

test("defaultConfig is what the schema makes of no settings, and a fresh copy each time", () => {
  expect(defaultConfig()).toStrictEqual(configSchema.parse({}));
  const a = defaultConfig();
  a.entry_points.push("x.py");
  a.github.max_inline_comments = 1;
  expect(defaultConfig()).toStrictEqual(configSchema.parse({}));
});
