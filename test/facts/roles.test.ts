import { defaultConfig } from "../../src/config/load.js";
import { moduleRoles } from "../../src/facts/roles.js";

const GUARDED = 'import sys\n\nif __name__ == "__main__":\n    sys.exit(0)\n';
const PLAIN = "import sys\n";

describe("moduleRoles", () => {
  it("answers from a path's text, not from an earlier answer for other text of the same path", () => {
    const config = defaultConfig();
    expect(moduleRoles("pkg/tool.py", GUARDED, config)).toMatchObject({ entryPoint: true, script: true });
    expect(moduleRoles("pkg/other.py", PLAIN, config)).toMatchObject({ entryPoint: false, script: false });
    // The same path again, its text edited in between: the guard is gone.
    expect(moduleRoles("pkg/tool.py", PLAIN, config)).toMatchObject({ entryPoint: false, script: false });
    expect(moduleRoles("pkg/tool.py", GUARDED, config)).toMatchObject({ entryPoint: true, script: true });
  });

  it("gives each caller its own copy, and the same answers after many other files", () => {
    const config = defaultConfig();
    const first = moduleRoles("pkg/tool.py", GUARDED, config);
    first.entryPoint = false;
    for (let i = 0; i < 200; i++) moduleRoles(`pkg/m${i}.py`, PLAIN, config);
    expect(moduleRoles("pkg/tool.py", GUARDED, config)).toMatchObject({ entryPoint: true, script: true });
    expect(moduleRoles("pkg/tests/test_x.py", GUARDED, config)).toMatchObject({ test: true, script: false });
  });
});
