/**
 * The analyzer's window onto the rest of the tree. The CLI reads the disk; the GitHub and Gerrit
 * adapters read the revision under review through their APIs. Paths are `/`-separated and relative
 * to the project root.
 */
export interface ProjectFiles {
  /** The text of another file of the same tree, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
}

/** Remembers every answer, so a parent `__init__.py` shared by many files is fetched once. */
export class CachedProjectFiles implements ProjectFiles {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  constructor(private readonly inner: ProjectFiles) {}

  readText(path: string): Promise<string | undefined> {
    let text = this.cache.get(path);
    if (!text) {
      text = this.inner.readText(path).catch(() => undefined);
      this.cache.set(path, text);
    }
    return text;
  }
}

/** A project made of in-memory files; used by tests and by adapters that prefetch contents. */
export class MemoryProjectFiles implements ProjectFiles {
  constructor(private readonly files: Record<string, string> | Map<string, string>) {}
  async readText(path: string): Promise<string | undefined> {
    return this.files instanceof Map ? this.files.get(path) : this.files[path];
  }
}

/** `a/b/c.py` → [`a/__init__.py`, `a/b/__init__.py`] (excluding the file itself). */
export function parentPackageInits(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  const inits: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const init = `${parts.slice(0, i).join("/")}/__init__.py`;
    if (init !== path) inits.push(init);
  }
  return inits;
}
