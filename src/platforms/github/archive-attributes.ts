/**
 * Where GitHub's tarball of a commit is not the commit. `git archive`, which makes it, obeys the
 * commit's `.gitattributes`: `export-ignore` leaves paths out (so a path missing from the archive may
 * still exist), and `export-subst`, `ident`, `eol=crlf`, `filter` (Git LFS objects in archives) and
 * `working-tree-encoding` change a file's bytes. Both are read from the `.gitattributes` files inside
 * the archive. A pattern is matched on the file name alone, which may take in more files than git
 * would: those are read by blob query instead, which costs a call but is never wrong.
 */
import picomatch from "picomatch";

/** Attributes under which `git archive` writes other bytes than the blob's. */
const ALTERING = /^(export-subst|ident|eol=crlf|filter=.+|working-tree-encoding=.+)$/;

export interface ArchiveFidelity {
  /** Some paths may be left out of the archive (`export-ignore`). */
  omits: boolean;
  /** The archive may hold other bytes for `path` than the commit does. */
  altered(path: string): boolean;
}

/** What the `.gitattributes` texts of a commit (any directory) say about its archive. */
export function archiveFidelity(attributeTexts: Iterable<string>): ArchiveFidelity {
  let omits = false;
  const altering: Array<(name: string) => boolean> = [];
  for (const text of attributeTexts) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const [pattern, ...attributes] = line.split(/\s+/);
      if (attributes.includes("export-ignore")) omits = true;
      if (!attributes.some((a) => ALTERING.test(a))) continue;
      // A macro that alters may be used under any name: no file's bytes are trusted then.
      if (pattern.startsWith("[attr]")) altering.push(() => true);
      else altering.push(picomatch(pattern.replace(/\/+$/, "").split("/").pop() || "*", { dot: true }));
    }
  }
  return { omits, altered: (path) => altering.some((match) => match(path.slice(path.lastIndexOf("/") + 1))) };
}
