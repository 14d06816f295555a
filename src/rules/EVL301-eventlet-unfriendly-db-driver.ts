import type { Node } from "web-tree-sitter";
import { isDocstring, stringText } from "../python/syntax.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code, text } from "./triggers.js";

const MYSQLDB_MODULES = ["MySQLdb", "_mysql"];
/** A string that is a MySQLdb URL (or URL template), not prose that mentions one. */
const MYSQLDB_URL = /^\s*mysql(\+mysqldb)?:\/\//i;
const SCHEME = /mysql(\+mysqldb)?:\/\//i;
/** An import of MySQLdb or _mysql names the module as a word of code. */
const MYSQLDB_IMPORT = /\b(?:MySQLdb|_mysql)\b/;

/** String methods and builtins that inspect or rewrite a URL rather than connect with it. */
const URL_HANDLING = new Set([
  "startswith", "endswith", "replace", "find", "rfind", "index", "rindex", "count", "split", "rsplit",
  "partition", "rpartition", "removeprefix", "removesuffix", "strip", "lstrip", "rstrip", "len", "sub", "match", "search",
]);

/**
 * `url.startswith('mysql://')`, `url.replace('mysql://', 'mysql+pymysql://')`, `scheme == 'mysql://'`:
 * code that recognizes or rewrites the scheme (often to fix the driver) and connects with nothing.
 */
function handlesUrl(string: Node): boolean {
  const parent = string.parent;
  if (parent?.type === "comparison_operator") return true;
  if (parent?.type !== "argument_list") return false;
  const fn = parent.parent?.childForFieldName("function");
  const name = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : fn?.text;
  return !!name && URL_HANDLING.has(name);
}

function isMysqldbModule(name: string): boolean {
  return MYSQLDB_MODULES.some((m) => name === m || name.startsWith(`${m}.`));
}

export const eventletUnfriendlyDbDriver: Rule = {
  meta: {
    id: "EVL301",
    name: "eventlet-unfriendly-db-driver",
    severity: "warning",
    enabledByDefault: true,
    section: SECTIONS.databaseDrivers,
    triggers: [[code(MYSQLDB_IMPORT)], [text(SCHEME)]],
    summary: "The MySQLdb driver: an import of MySQLdb/_mysql, or a mysql:// or mysql+mysqldb:// URL.",
    docs: {
      what:
        "Flags `import MySQLdb`, `import _mysql` and `from MySQLdb import …`, and every string literal that is a " +
        "`mysql://` or `mysql+mysqldb://` URL (SQLAlchemy's default MySQL driver is MySQLdb). Docstrings, " +
        "comments and prose that merely mention such a URL are ignored; `mysql+pymysql://` never matches. " +
        "URL strings in test code (`test_paths`) are test data, such as a connection option set to take the " +
        "MySQL branch of a query, and are not reported; importing MySQLdb there still is. Code that recognizes " +
        "or rewrites the scheme (`url.startswith('mysql://')`, `url.replace('mysql://', 'mysql+pymysql://')`, " +
        "a comparison) connects with nothing and is not reported either.",
      why:
        "MySQLdb is a C extension: its calls block in C where eventlet cannot switch, so one slow query freezes " +
        "every green thread, and under load the hub deadlocks. The spec records the plan to move OpenStack's " +
        "recommended and default driver to an eventlet-friendly one; PyMySQL, written in pure Python, was chosen.",
      example: "import MySQLdb\n\nCONNECTION = 'mysql://nova:secret@db/nova'\n",
      useInstead: "import pymysql\n\nCONNECTION = 'mysql+pymysql://nova:secret@db/nova'\n",
    },
  },
  // Test code's URLs are test data: there only an import can fire.
  admits: (file) => !file.roles.test || MYSQLDB_IMPORT.test(file.text),
  create(context) {
    const report = (node: Node, message: string, fix?: Parameters<typeof context.report>[0]["fix"]) =>
      context.report({ node, message, fix });
    const onImport = (node: Node) => {
      const names =
        node.type === "import_statement"
          ? node.childrenForFieldName("name").map((n) => (n?.type === "aliased_import" ? n.childForFieldName("name") : n))
          : [node.childForFieldName("module_name")];
      for (const name of names) {
        if (name && isMysqldbModule(name.text)) {
          report(name, `${name.text} blocks every green thread during each query and can deadlock under eventlet: use PyMySQL (import pymysql).`);
        }
      }
    };
    return {
      import_statement: onImport,
      import_from_statement: onImport,
      string(node) {
        if (node.parent?.type === "concatenated_string" && node.parent.firstNamedChild?.id !== node.id) return;
        // In test code a URL is test data (a dialect switch, a sample cell mapping) that never reaches a driver.
        if (context.roles.test || !MYSQLDB_URL.test(stringText(node)) || isDocstring(node) || handlesUrl(node)) return;
        const lineIndex = node.startPosition.row;
        const singleLine = node.endPosition.row === lineIndex;
        report(
          node,
          "this URL selects the MySQLdb driver, which blocks every green thread during each query: use mysql+pymysql://.",
          singleLine
            ? {
                replacement: context.line(lineIndex).replace(SCHEME, "mysql+pymysql://"),
                safety: "safe",
                description: "use the PyMySQL driver",
              }
            : undefined,
        );
      },
    };
  },
};
