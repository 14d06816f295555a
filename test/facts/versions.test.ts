import { readSeries, seriesPins, SERIES_PINS } from "../../src/facts/series.js";
import { allowsFrom, compareVersions, lowerBound, mergeVersions, rangeOf, versionsIn } from "../../src/facts/versions.js";

describe("lowerBound", () => {
  test.each([
    ["==0.36.1", "0.36.1", true],
    ["===0.36.1", "0.36.1", true],
    [">=0.26.0,!=0.27.0", "0.26.0", false],
    ["!=0.27.0,>=0.26.0,<1.0", "0.26.0", false],
    ["~=14.9", "14.9", false],
    [">0.20", "0.20", false],
    ["^0.33.0", "0.33.0", false],
    [">=0.20,>=0.30", "0.30", false],
  ])("%s counts as %s", (spec, version, exact) => {
    expect(lowerBound(spec)).toEqual({ version, exact });
  });

  test("an upper bound alone sets no version", () => {
    expect(lowerBound("<0.30,!=0.27")).toBeUndefined();
    expect(lowerBound("not a specifier")).toBeUndefined();
  });
});

describe("rangeOf: both ends of a requirement", () => {
  const up = (version: string, inclusive = false) => ({ version, inclusive });
  test.each([
    [">=14.1.0", { floor: up("14.1.0", true), upper: undefined, exact: false }],
    [">=14.1.0,!=14.2.0,<18.0.0", { floor: up("14.1.0", true), upper: up("18.0.0"), exact: false }],
    [">=14.1.0,<=17.3.0", { floor: up("14.1.0", true), upper: up("17.3.0", true), exact: false }],
    ["~=17.1", { floor: up("17.1", true), upper: up("18"), exact: false }],
    ["~=17.1.2", { floor: up("17.1.2", true), upper: up("17.2"), exact: false }],
    ["==0.*", { floor: up("0", true), upper: up("1"), exact: false }],
    ["===17.3.0", { floor: up("17.3.0", true), upper: up("17.3.0", true), exact: true }],
    ["^0.33.0", { floor: up("0.33.0", true), upper: up("0.34"), exact: false }],
    ["^4.2", { floor: up("4.2", true), upper: up("5"), exact: false }],
    ["<18", { floor: undefined, upper: up("18"), exact: false }],
  ])("%s", (spec, expected) => {
    const range = rangeOf(spec)!;
    expect({ floor: range.floor, upper: range.upper, exact: range.exact }).toEqual(expected);
  });

  test("requirement facts carry the upper bound, and allowsFrom reads it", () => {
    const [open] = versionsIn("requirements.txt", "oslo.messaging>=14.1.0\n");
    const [capped] = versionsIn("requirements.txt", "oslo.messaging>=14.1.0,<18.0.0\n");
    const [inclusive] = versionsIn("requirements.txt", "oslo.messaging>=14.1.0,<=18.0.0\n");
    expect(open).toMatchObject({ version: "14.1.0", exact: false, kind: "requirement" });
    expect(open.upper).toBeUndefined();
    expect(capped.upper).toEqual({ version: "18.0.0", inclusive: false });
    expect([allowsFrom(open, "18.0.0"), allowsFrom(capped, "18.0.0"), allowsFrom(inclusive, "18.0.0"), allowsFrom(capped, "17.9")]).toEqual([true, false, true, true]);
  });
});

describe("the OpenStack series a tree names", () => {
  const read = (files: Record<string, string>) => async (path: string) => files[path];

  test("tox.ini's TOX_CONSTRAINTS_FILE default, in its releases and opendev spellings", async () => {
    expect(await readSeries(read({ "tox.ini": "[testenv]\ndeps =\n  -c{env:TOX_CONSTRAINTS_FILE:https://releases.openstack.org/constraints/upper/2025.2}\n" }))).toEqual({
      series: "2025.2",
      source: { path: "tox.ini", line: 3 },
    });
    const opendev = "deps = -c{env:UPPER_CONSTRAINTS_FILE:https://opendev.org/openstack/requirements/raw/branch/stable/zed/upper-constraints.txt}\n";
    expect((await readSeries(read({ "tox.ini": opendev })))?.series).toBe("zed");
  });

  test(".gitreview's defaultbranch when tox.ini names none; comments and unknown series do not count", async () => {
    expect(await readSeries(read({ "tox.ini": "# constraints/upper/2024.1\n[tox]\n", ".gitreview": "[gerrit]\ndefaultbranch=unmaintained/2024.1\n" }))).toEqual({
      series: "2024.1",
      source: { path: ".gitreview", line: 2 },
    });
    expect(await readSeries(read({ "tox.ini": "deps = -c https://releases.openstack.org/constraints/upper/1999.9\n" }))).toBeUndefined();
    expect(await readSeries(read({}))).toBeUndefined();
  });

  test("release names resolve to their numbered series; every series pins all three packages", () => {
    expect(seriesPins("Epoxy")?.series).toBe("2025.1");
    for (const s of SERIES_PINS) expect(Object.keys(s.pins).sort()).toEqual(["eventlet", "oslo.messaging", "oslo.service"]);
  });

  test("mergeVersions puts the series after a root upper-constraints.txt and before the requirement ranges", () => {
    const series = { ...seriesPins("2026.1")!, source: { path: "tox.ini", line: 3 } };
    const facts = mergeVersions(
      [
        { path: "upper-constraints.txt", text: "eventlet===0.40.0\n" },
        { path: "requirements.txt", text: "eventlet>=0.26.0\noslo.messaging>=14.0.0\n" },
      ],
      { "oslo.service": "4.2.0" },
      ".eventlet-review.yaml",
      series,
    );
    expect(facts.eventlet).toMatchObject({ version: "0.40.0", kind: "constraints" });
    expect(facts["oslo.messaging"]).toMatchObject({ version: "17.3.0", exact: true, kind: "series", series: "2026.1", source: { path: "tox.ini", line: 3 } });
    expect(facts["oslo.service"]).toMatchObject({ version: "4.2.0", kind: "config" });
  });

  test("master's pins cap a requirement range instead of pinning (a tree from any year names master)", () => {
    const series = { ...seriesPins("master")!, source: { path: "tox.ini", line: 3 } };
    const facts = mergeVersions([{ path: "requirements.txt", text: "oslo.messaging>=14.1.0\noslo.service>=4.0.0,<4.2.0\n" }], {}, ".eventlet-review.yaml", series);
    expect(facts["oslo.messaging"]).toMatchObject({ version: "14.1.0", exact: false, upper: { version: "18.2.0", inclusive: true }, cappedBy: { series: "master" } });
    expect(facts["oslo.service"]).toMatchObject({ upper: { version: "4.2.0", inclusive: false } });
    expect(facts["oslo.service"]?.cappedBy).toBeUndefined();
    expect(facts.eventlet).toBeUndefined();
  });
});

describe("compareVersions", () => {
  test("numeric, not lexical, and missing parts are zero", () => {
    expect(compareVersions("0.9.0", "0.20.0")).toBeLessThan(0);
    expect(compareVersions("18.0", "18.0.0")).toBe(0);
    expect(compareVersions("17.3.0", "18.0.0")).toBeLessThan(0);
    expect(compareVersions("0.36.0rc1", "0.36.0")).toBe(0);
  });
});

describe("versionsIn", () => {
  test("requirements.txt: names normalised, comments, markers and option lines ignored", () => {
    const text = [
      "# The order of packages is significant",
      "-c https://releases.openstack.org/constraints/upper/master",
      "pbr>=6.0.0 # Apache-2.0",
      "eventlet>=0.26.0,!=0.27.0 # MIT",
      "oslo_messaging >= 14.9.0 ; python_version>='3.9'  # Apache-2.0",
      "oslo.service[threading]>=4.2.0 # Apache-2.0",
      "oslo.serviceextra>=1.0",
    ].join("\n");
    const facts = versionsIn("requirements.txt", text);
    expect(facts.map((f) => [f.package, f.version, f.source.line, f.exact])).toEqual([
      ["eventlet", "0.26.0", 4, false],
      ["oslo.messaging", "14.9.0", 5, false],
      ["oslo.service", "4.2.0", 6, false],
    ]);
    expect(facts[0].requirement).toBe("eventlet>=0.26.0,!=0.27.0");
  });

  test("upper-constraints pins exactly", () => {
    const facts = versionsIn("upper-constraints.txt", "eventlet===0.40.4\noslo.messaging===17.3.0\n");
    expect(facts.map((f) => [f.package, f.version, f.exact])).toEqual([
      ["eventlet", "0.40.4", true],
      ["oslo.messaging", "17.3.0", true],
    ]);
  });

  test("setup.cfg install_requires", () => {
    const text = "[metadata]\nname = eventlet-thing\n\n[options]\ninstall_requires =\n    eventlet>=0.33.3\n    oslo.messaging>=16.0.0\n";
    expect(versionsIn("setup.cfg", text).map((f) => [f.package, f.version, f.source.line])).toEqual([
      ["eventlet", "0.33.3", 6],
      ["oslo.messaging", "16.0.0", 7],
    ]);
  });

  test("pyproject.toml: PEP 621 lists (one line or many) and poetry tables", () => {
    const text = [
      "[project]",
      'name = "thing"',
      'dependencies = ["eventlet>=0.35.2", "requests"]',
      "optional-dependencies = { svc = [",
      '  "oslo.service[threading] >= 4.2.0",',
      "]}",
      "[tool.poetry.dependencies]",
      'oslo-messaging = "^17.1.0"',
    ].join("\n");
    expect(versionsIn("pyproject.toml", text).map((f) => [f.package, f.version, f.source.line])).toEqual([
      ["eventlet", "0.35.2", 3],
      ["oslo.service", "4.2.0", 5],
      ["oslo.messaging", "17.1.0", 8],
    ]);
  });
});

describe("mergeVersions", () => {
  test("config pins win, then the first file given", () => {
    const facts = mergeVersions(
      [
        { path: "upper-constraints.txt", text: "eventlet===0.40.4\n" },
        { path: "requirements.txt", text: "eventlet>=0.26.0\noslo.messaging>=14.0.0\n" },
      ],
      { "oslo.messaging": "18.0.0" },
    );
    expect(facts.eventlet).toMatchObject({ version: "0.40.4", source: { path: "upper-constraints.txt", line: 1 } });
    expect(facts["oslo.messaging"]).toMatchObject({ version: "18.0.0", exact: true, source: { path: ".eventlet-review.yaml" } });
    expect(facts["oslo.service"]).toBeUndefined();
  });
});
