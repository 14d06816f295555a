import { compareVersions, lowerBound, mergeVersions, versionsIn } from "../../src/facts/versions.js";

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
    expect(lowerBound("==0.*")).toBeUndefined();
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
