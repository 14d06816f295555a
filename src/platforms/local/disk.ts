/** ProjectFiles on the local disk: the CLI's window onto the rest of the tree. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProjectFiles } from "../../python/project-files.js";

export class DiskProjectFiles implements ProjectFiles {
  constructor(private readonly root: string) {}
  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, ...path.split("/")), "utf8");
    } catch {
      return undefined;
    }
  }
}
