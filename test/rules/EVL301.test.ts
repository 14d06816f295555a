import { eventletUnfriendlyDbDriver } from "../../src/rules/EVL301-eventlet-unfriendly-db-driver.js";
import { findingsFor, ruleTester } from "../support/rule-tester.js";

ruleTester(eventletUnfriendlyDbDriver, {
  valid: [
    { name: "PyMySQL", code: "import pymysql\n\nCONNECTION = 'mysql+pymysql://nova:secret@db/nova'\n" },
    { name: "mysql+pymysql:// never matches", code: "URL = \"mysql+pymysql://u:p@h/db?charset=utf8\"\n" },
    { name: "a comment", code: "# connection = mysql://nova:secret@db/nova\nx = 1\n" },
    { name: "a module docstring", code: '"""Use mysql://user@host/db to connect."""\n' },
    { name: "a function docstring", code: 'def f():\n    """Set connection = mysql://user@host/db."""\n' },
    { name: "a class docstring", code: 'class C:\n    """e.g. mysql+mysqldb://user@host/db"""\n' },
    { name: "prose that mentions a URL", code: "help_text = 'Set it to e.g. mysql://user@host/db to use MySQL.'\n" },
    { name: "a dialect name", code: "if engine.name == 'mysql':\n    pass\n" },
    { name: "another driver", code: "URL = 'postgresql://u@h/db'\nURL2 = 'sqlite://'\n" },
    { name: "a module named like MySQLdb but not it", code: "import MySQLdb_compat\nfrom mysqldb_tools import x\n" },
    {
      name: "code that rewrites the scheme to PyMySQL",
      code: "if url.startswith('mysql://'):\n    url = url.replace('mysql://', 'mysql+pymysql://', 1)\n",
    },
    { name: "a scheme comparison", code: "is_mysql = prefix == 'mysql://' or 'mysql://' in url\n" },
    { name: "a scheme length", code: "rest = url[len('mysql://'):]\n" },
    {
      name: "URL strings in test code are test data (cinder's test_db_api shape)",
      path: "pkg/tests/unit/test_db_api.py",
      code: "def test_case_insensitive(self):\n    CONF.set_default('connection', 'mysql://', 'database')\n",
    },
    {
      name: "a sample cell mapping in a functional test (nova's test_host_mapping shape)",
      path: "pkg/tests/functional/db/test_cells.py",
      code: "sample = {'name': 'fake-cell', 'database_connection': 'mysql:///'}\n",
    },
  ],
  invalid: [
    {
      name: "import MySQLdb",
      code: "import MySQLdb\n",
      errors: [{ line: 1, column: 8, endColumn: 15, message: "use PyMySQL" }],
    },
    { name: "import _mysql", code: "import os, _mysql\n", errors: [{ line: 1, column: 12, endColumn: 18 }] },
    { name: "import MySQLdb as db", code: "import MySQLdb as db\n", errors: [{ line: 1, column: 8 }] },
    { name: "from MySQLdb import cursors", code: "from MySQLdb import cursors\n", errors: [{ line: 1, column: 6, endColumn: 13 }] },
    { name: "import MySQLdb.cursors", code: "import MySQLdb.cursors\n", errors: [{ line: 1 }] },
    { name: "importing MySQLdb in test code still loads the driver", path: "pkg/tests/test_db.py", code: "import MySQLdb\n", errors: [{ line: 1 }] },
    {
      name: "a mysql:// URL",
      code: "CONNECTION = 'mysql://nova:secret@db/nova'\n",
      errors: [{ line: 1, column: 14, endColumn: 43, message: "mysql+pymysql://" }],
    },
    { name: "a mysql+mysqldb:// URL", code: 'url = "mysql+mysqldb://u:p@h/db"\n', errors: [{ line: 1, column: 7 }] },
    { name: "a URL template", code: "url = 'mysql://%s:%s@%s/%s' % (user, pw, host, db)\n", errors: [{ line: 1, column: 7 }] },
    { name: "an f-string URL", code: "url = f'mysql://{user}@{host}/nova'\n", errors: [{ line: 1, column: 7 }] },
    {
      name: "a URL passed to a function that connects",
      code: "engine = sqlalchemy.create_engine('mysql://u:p@h/db')\n",
      errors: [{ line: 1, column: 35 }],
    },
    {
      name: "a default in an option definition",
      code: "cfg.StrOpt('connection', default='mysql://root@localhost/nova')\n",
      errors: [{ line: 1, column: 34 }],
    },
    {
      name: "a concatenated string is reported once, at its start",
      code: "url = ('mysql://'\n       'u@h/db')\n",
      errors: [{ line: 1, column: 8 }],
    },
    {
      name: "a non-ASCII line: columns count code points (an astral character counts once)",
      code: "nom = '😀é'; url = 'mysql://u@h/db'\n",
      errors: [{ line: 1, column: 19, endColumn: 35 }],
    },
  ],
});

test("the fix rewrites the scheme to mysql+pymysql:// and is safe", async () => {
  const [finding] = await findingsFor(eventletUnfriendlyDbDriver, { code: "CONNECTION = 'mysql+mysqldb://nova@db/nova'  # db\n" });
  expect(finding.fix).toEqual({
    line: 1,
    endLine: 1,
    replacement: "CONNECTION = 'mysql+pymysql://nova@db/nova'  # db",
    safety: "safe",
    description: "use the PyMySQL driver",
  });
});
