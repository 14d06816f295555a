import { pyprojectPrograms, setupCfgPrograms } from "../../src/facts/programs.js";

describe("programs a project installs", () => {
  test("pyproject.toml: [project.scripts], gui-scripts and the wsgi_scripts entry-point group", () => {
    const text = [
      "[project]",
      'name = "anvil"',
      "",
      "[project.scripts]",
      'anvil-api = "anvil.command.api:main"',
      "'anvil-x' = 'anvil.x:run'  # quoted key",
      "",
      "[project.gui-scripts]",
      'anvil-gui = "anvil.gui:main"',
      "",
      '[project.entry-points."wsgi_scripts"]',
      'anvil-wsgi = "anvil.api.wsgi:init_application"',
      "",
      '[project.entry-points."oslo.config.opts"]',
      'anvil = "anvil.conf.opts:list_opts"',
    ].join("\n");
    expect(pyprojectPrograms("pyproject.toml", text).map((p) => [p.name, p.module, p.line])).toEqual([
      ["anvil-api", "anvil.command.api", 5],
      ["anvil-x", "anvil.x", 6],
      ["anvil-gui", "anvil.gui", 9],
      ["anvil-wsgi", "anvil.api.wsgi", 12],
    ]);
  });

  test("setup.cfg: console_scripts and wsgi_scripts under [entry_points], not other groups", () => {
    const text = [
      "[metadata]",
      "name = forge",
      "",
      "[entry_points]",
      "console_scripts =",
      "    forge-engine = forge.cmd.engine:main",
      "    # a comment",
      "    forge-manage = forge.cmd.manage:main",
      "oslo.config.opts =",
      "    forge.common.config = forge.common.config:list_opts",
      "wsgi_scripts = forge-api = forge.api.wsgi:init_application",
      "",
      "[files]",
      "packages = forge",
    ].join("\n");
    expect(setupCfgPrograms("setup.cfg", text).map((p) => [p.name, p.module, p.line])).toEqual([
      ["forge-engine", "forge.cmd.engine", 6],
      ["forge-manage", "forge.cmd.manage", 8],
      ["forge-api", "forge.api.wsgi", 11],
    ]);
  });
});
