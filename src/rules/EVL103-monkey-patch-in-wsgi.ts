import { isPatchCall } from "../facts/patching.js";
import { patchModuleUses } from "./patch-module-uses.js";
import { SECTIONS } from "./sections.js";
import type { Rule } from "./types.js";
import { code } from "./triggers.js";

export const monkeyPatchInWsgi: Rule = {
  meta: {
    id: "EVL103",
    name: "monkey-patch-in-wsgi",
    severity: "error",
    enabledByDefault: true,
    section: SECTIONS.monkeyPatching,
    triggers: [[code(/monkey_?patch|eventlet_patch/)]],
    summary: "A monkey patch in WSGI application code, which mod_wsgi or uwsgi loads.",
    docs: {
      what:
        "Flags `eventlet.monkey_patch()` anywhere in WSGI application code: a `wsgi.py` module, a module of a " +
        "`wsgi` package, `wsgi_app.py`, or a module that defines `application` at the top level (patterns in " +
        "`wsgi_modules`), and patching there through a dedicated patch module (importing one that patches " +
        "when imported, or calling its `patch()`; calling a project helper whose body patches, such as nova's 2018 " +
        "`utils.monkey_patch()`; `patch(backend='threading')`, as nova's WSGI modules do, " +
        "selects native threads and is fine). Such a module gets this rule only, not EVL102 as well.",
      why:
        "The spec asks that services can run without monkey patching \"such as when an API service runs under " +
        "Apache\". Under mod_wsgi or uwsgi the server suspends the embedded interpreter between requests, so green " +
        "threads (and anything that relies on them, like the AMQP heartbeat) stop running until the next request " +
        "arrives. WSGI application code must run on native threads.",
      example: "# myservice/api/wsgi.py\nimport eventlet\neventlet.monkey_patch()\n\napplication = init_application()\n",
      useInstead: "# myservice/api/wsgi.py: no patching; the eventlet server's entry point patches instead\napplication = init_application()\n",
    },
  },
  admits: ({ roles }) => roles.wsgi,
  create(context) {
    if (!context.roles.wsgi) return {};
    const uses = patchModuleUses(
      context,
      (through) =>
        `WSGI application code patches through ${through}, but mod_wsgi and uwsgi suspend the interpreter ` +
        "between requests and green threads stall: remove it and patch only in the eventlet server's entry point.",
    );
    return {
      ...uses.visitors,
      call(node) {
        if (!isPatchCall(node, context.imports)) {
          uses.noteCall(node);
          return;
        }
        context.report({
          node,
          message:
            "WSGI application code patches eventlet, but mod_wsgi and uwsgi suspend the interpreter between " +
            "requests and green threads stall: remove the patch and keep it in the eventlet server's entry point.",
        });
      },
    };
  },
};
