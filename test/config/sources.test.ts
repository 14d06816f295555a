/** Config from pyproject.toml, setup.cfg and tox.ini beside `.eventlet-review.yaml`: one source at a time. */
import { cleanup, findingsOf, PY, run, tempDir, writeTree } from "../cli/helpers.js";
import { configFromFile } from "../../src/config/sources.js";

let root: string;

beforeEach(() => {
  root = tempDir();
  writeTree(root, { ".git/HEAD": "ref: refs/heads/master\n", "pkg/__init__.py": "", "pkg/db.py": PY.mysqldb, "pkg/cmd/__init__.py": "", "pkg/cmd/api.py": PY.patchAfterLogging });
});

afterEach(() => cleanup(root));

const rules = async (...argv: string[]) => findingsOf((await run(["check", "--output-format", "json", ...argv, "."], { cwd: root })).stdout).map((f) => `${f.rule}:${f.severity}`);

test("pyproject.toml [tool.eventlet-review]", async () => {
  writeTree(root, { "pyproject.toml": '[project]\nname = "pkg"\n\n[tool.eventlet-review]\nexclude = ["pkg/cmd/**"]\n\n[tool.eventlet-review.rules]\nEVL301 = "error"\n' });
  expect(await rules()).toEqual(["EVL301:error"]);
});

test("setup.cfg [eventlet-review] with configparser continuation lines", async () => {
  writeTree(root, {
    "setup.cfg": "[metadata]\nname = pkg\n\n[eventlet-review]\nfail_level = warning\nexclude =\n    pkg/cmd/**\nrules =\n    EVL301: info\n",
  });
  expect(await rules()).toEqual(["EVL301:info"]);
  expect((await run(["check", "."], { cwd: root })).code).toBe(0); // info is below the warning fail level
});

test("tox.ini [eventlet-review], and a dotted key sets a nested setting", () => {
  const config = configFromFile("tox.ini", "[flake8]\nselect = H\n\n[eventlet-review]\ngithub.request_changes = true\nmax_file_bytes = 4096\n", "tox.ini");
  expect(config?.github.request_changes).toBe(true);
  expect(config?.max_file_bytes).toBe(4096);
});

test("a file without our section is skipped; our own file wins over the others", async () => {
  writeTree(root, { "pyproject.toml": '[project]\nname = "pkg"\n', "setup.cfg": "[eventlet-review]\nrules =\n    EVL301: off\n" });
  expect(await rules()).toEqual(["EVL101:error"]);
  writeTree(root, { ".eventlet-review.yaml": "rules:\n  EVL101: off\n" });
  expect(await rules()).toEqual(["EVL301:warning"]);
});

test("errors name the file and the section", async () => {
  writeTree(root, { "pyproject.toml": '[tool.eventlet-review]\nfail_level = "fatal"\n' });
  const r = await run(["check", "."], { cwd: root });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^eventlet-review: pyproject\.toml \[tool\.eventlet-review\]: fail_level: /);
  writeTree(root, { "pyproject.toml": "[tool.eventlet-review\n" });
  expect((await run(["check", "."], { cwd: root })).stderr).toMatch(/pyproject\.toml: invalid TOML/);
});

test("--config names a pyproject.toml: its section is read", async () => {
  writeTree(root, { "conf/pyproject.toml": "[tool.eventlet-review.rules]\nEVL101 = \"off\"\n", "conf/empty.toml": "" });
  expect(await rules("--config", "conf/pyproject.toml")).toEqual(["EVL301:warning"]);
  const none = await run(["check", "--config", "conf/setup.cfg", "."], { cwd: root });
  expect(none.stderr).toMatch(/cannot read config file conf\/setup\.cfg/);
});
