import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { normalizeName, readDistribution, sameDistribution } from "../../src/facts/distribution.js";

const read = (files: Record<string, string>) => {
  const project = new MemoryProjectFiles(files);
  return (path: string) => project.readText(path);
};

describe("readDistribution", () => {
  test("pyproject.toml [project] name, with its line", async () => {
    expect(await readDistribution(read({ "pyproject.toml": '[build-system]\nrequires = ["pbr"]\n\n[project]\nname = "oslo.messaging"\n' }))).toEqual({
      name: "oslo.messaging",
      source: { path: "pyproject.toml", line: 5 },
    });
  });

  test("setup.cfg [metadata] name (pbr), when pyproject.toml names none", async () => {
    const files = { "pyproject.toml": '[build-system]\nrequires = ["pbr>=6.1.1"]\n', "setup.cfg": "[metadata]\nname = oslo.service\nsummary = x\n\n[files]\npackages =\n    oslo_service\n" };
    expect(await readDistribution(read(files))).toEqual({ name: "oslo.service", source: { path: "setup.cfg", line: 2 } });
  });

  test("a poetry project, a broken pyproject.toml, and nothing at all", async () => {
    expect((await readDistribution(read({ "pyproject.toml": '[tool.poetry]\nname = "teapot"\n' })))?.name).toBe("teapot");
    expect(await readDistribution(read({ "pyproject.toml": "[project\nname = " }))).toBeUndefined();
    expect(await readDistribution(read({ "setup.cfg": "[options]\nname = not-metadata\n" }))).toBeUndefined();
    expect(await readDistribution(read({}))).toBeUndefined();
  });

  test("names compare as PEP 503 normalises them", () => {
    expect(normalizeName("Oslo_Messaging")).toBe("oslo-messaging");
    expect(sameDistribution("oslo.messaging", "oslo-messaging")).toBe(true);
    expect(sameDistribution("oslo.service", "oslo.messaging")).toBe(false);
  });
});
