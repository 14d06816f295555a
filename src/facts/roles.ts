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
 * Recent answers per config, by path: a file's gate, its scan, its chain and its analysis each ask,
 * with other files' questions in between (the analysis is asynchronous), and each would search the
 * whole text again. Bounded: a tree has thousands of files.
 */
const recentRoles = new WeakMap<Config, Map<string, { text: string; roles: ModuleRoles }>>();
const RECENT_ROLES = 64;

export function moduleRoles(path: string, text: string, config: Config): ModuleRoles {
  let recent = recentRoles.get(config);
  if (!recent) recentRoles.set(config, (recent = new Map()));
  const known = recent.get(path);
  if (known && known.text === text) return { ...known.roles };
  const roles = computeRoles(path, text, config);
  recent.delete(path);
  if (recent.size >= RECENT_ROLES) recent.delete(recent.keys().next().value!);
  recent.set(path, { text, roles });
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
