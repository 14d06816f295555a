/** The CLI's ChangeSource over a real directory: the whole tree walked, or the files a diff adds lines to. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../../src/config/load.js";
import { ChangedLines } from "../../../src/diff/changed-lines.js";
import { LocalChangeSource } from "../../../src/platforms/local/change-source.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "evr-local-"));
  mkdirSync(join(root, "pkg/sub"), { recursive: true });
  writeFileSync(join(root, "pkg/a.py"), "import eventlet\n");
  writeFileSync(join(root, "pkg/sub/b.py"), "x = 1\n");
  writeFileSync(join(root, "pkg/notes.txt"), "not python\n");
  writeFileSync(join(root, "pkg/big.py"), "#".repeat(100));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function walked(source: LocalChangeSource): Promise<string[]> {
  const paths: string[] = [];
  for await (const path of source.walk!(() => {})) paths.push(path);
  return paths;
}

test("without a change it walks the tree (Python files the globs keep, in order), or only under a subdirectory", async () => {
  const config = defaultConfig();
  expect(await walked(new LocalChangeSource({ project: root, config }))).toEqual(["pkg/a.py", "pkg/big.py", "pkg/sub/b.py"]);
  expect(await walked(new LocalChangeSource({ project: root, config, under: "pkg/sub" }))).toEqual(["pkg/sub/b.py"]);
  // A file named on the command line is the whole list, whatever the globs say.
  expect(await walked(new LocalChangeSource({ project: root, config, files: ["pkg/notes.txt"] }))).toEqual(["pkg/notes.txt"]);
  expect(new LocalChangeSource({ project: root, config }).readBaseText).toBeUndefined();
});

test("with a change it lists the files the diff adds lines to, sorted, and reads the base through the revision given", async () => {
  const changed = new ChangedLines();
  changed.addLines("pkg/sub/b.py", [1]);
  changed.addWholeFile("pkg/a.py");
  changed.addLines("pkg/gone.py", []);
  const base = { readText: async (path: string) => (path === "pkg/a.py" ? "old\n" : undefined) };
  const source = new LocalChangeSource({ project: root, config: defaultConfig(), change: { changed, base } });
  expect(source.walk).toBeUndefined();
  expect((await source.listFiles()).map((f) => f.path)).toEqual(["pkg/a.py", "pkg/sub/b.py"]);
  expect(await source.changedLines()).toBe(changed);
  expect(await source.readBaseText!("pkg/a.py")).toBe("old\n");
});

test("reads say why a file is skipped; a file a diff names that is gone is skipped silently", async () => {
  const config = { ...defaultConfig(), max_file_bytes: 50 };
  const tree = new LocalChangeSource({ project: root, config });
  expect(await tree.readForReview("pkg/a.py")).toEqual({ bytes: expect.any(Uint8Array) });
  expect(await tree.readForReview("pkg/big.py")).toEqual({ notice: "skipped: 100 bytes is over the 50-byte limit (max_file_bytes)" });
  expect(await tree.readForReview("pkg")).toEqual({ notice: "skipped: not a regular file" });
  expect(await tree.readForReview("pkg/none.py")).toEqual({ notice: "skipped: cannot read (ENOENT)" });
  const diff = new LocalChangeSource({ project: root, config, change: { changed: new ChangedLines() } });
  expect(await diff.readForReview("pkg/none.py")).toEqual({});
  expect(await diff.readText("pkg/a.py")).toBe("import eventlet\n");
});
