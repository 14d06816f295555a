/** The Python files of fixtures/, for tests that hold a new implementation to its reference on each. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(import.meta.dirname, "../../fixtures");

/** Each `.py` file under fixtures/: its path there and its text. */
export function pythonFixtures(): { file: string; text: string }[] {
  return readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".py"))
    .map((file) => ({ file, text: readFileSync(join(FIXTURES, file), "utf8") }));
}
