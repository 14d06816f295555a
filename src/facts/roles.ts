/**
 * What part a module plays in its program, from its path (configurable globs) and its own text:
 * entry point, dedicated patch module, test code, WSGI application, or importable library.
 */
import { globMatcher } from "../config/file-filter.js";
import type { Config } from "../config/schema.js";

export interface ModuleRoles {
  entryPoint: boolean;
  patchModule: boolean;
  test: boolean;
  wsgi: boolean;
  /** `pkg/__init__.py` directly under the project root (`nova/__init__.py`). */
  rootPackageInit: boolean;
  /**
   * A script run by path (`python tests/isolated/x.py`): a module with a `__main__` guard, other than a
   * package's `__init__.py` or `__main__.py` (which `python -m` runs inside its package), the modules
   * of a `cmd/` package (console scripts import them) and test modules (`test_*.py`, `*_test.py`: the
   * test runner imports them; their `unittest.main()` guard is a convenience). It is its own program: Python runs no
   * parent package `__init__` before it.
   */
  script: boolean;
}

type Matcher = (path: string) => boolean;
const matchers = new WeakMap<Config, Record<"entry" | "patch" | "test" | "wsgi", Matcher>>();

function matchersFor(config: Config) {
  let m = matchers.get(config);
  if (!m) {
    m = {
      entry: globMatcher(config.entry_points),
      patch: globMatcher(config.patch_modules),
      test: globMatcher(config.test_paths),
      wsgi: globMatcher(config.wsgi_modules),
    };
    matchers.set(config, m);
  }
  return m;
}

/** Matches the paths of dedicated patch modules (`patch_modules`). */
export function patchModuleMatcher(config: Config): Matcher {
  return matchersFor(config).patch;
}

const MAIN_GUARD = /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m;
const WSGI_APPLICATION = /^(application\s*=|def\s+application\s*\()/m;

/** The guard's own words first: a multi-line `^` search is slow on the many files that lack them. */
function mainGuard(text: string): boolean {
  return text.includes("__main__") && MAIN_GUARD.test(text);
}

/**
 * The last answer per config: a file's gate, its scan, its chain and its analysis each ask in turn,
 * and each question would search the whole text again.
 */
const lastRoles = new WeakMap<Config, { path: string; text: string; roles: ModuleRoles }>();

export function moduleRoles(path: string, text: string, config: Config): ModuleRoles {
  const last = lastRoles.get(config);
  if (last && last.path === path && last.text === text) return { ...last.roles };
  const roles = computeRoles(path, text, config);
  lastRoles.set(config, { path, text, roles });
  return { ...roles };
}

function computeRoles(path: string, text: string, config: Config): ModuleRoles {
  const m = matchersFor(config);
  const test = m.test(path);
  const isInit = path.endsWith("/__init__.py") || path === "__init__.py";
  const script = mainGuard(text);
  return {
    // A script (`if __name__ == "__main__":`) and a test package `__init__` start programs too.
    entryPoint: m.entry(path) || script || (test && isInit),
    patchModule: m.patch(path),
    test,
    wsgi: m.wsgi(path) || (text.includes("application") && WSGI_APPLICATION.test(text)),
    rootPackageInit: /^[^/]+\/__init__\.py$/.test(path),
    script: script && !/(^|\/)(__init__|__main__|test_[^/]*|[^/]*_test)\.py$/.test(path) && !/(^|\/)cmd\//.test(path),
  };
}
