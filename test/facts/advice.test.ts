/** Version-aware wording of EVL201 and EVL401: each version boundary, through the rules themselves. */
import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { greenUnawareSubprocess } from "../../src/rules/EVL201-green-unaware-subprocess.js";
import { heartbeatInGreenThread } from "../../src/rules/EVL401-heartbeat-in-green-thread.js";
import type { Rule } from "../../src/rules/types.js";

async function messages(rule: Rule, code: string, requirements?: string): Promise<string[]> {
  const files: Record<string, string> = requirements ? { "requirements.txt": requirements } : {};
  const analyzer = new Analyzer(configSchema.parse({}), new MemoryProjectFiles(files), [rule]);
  return (await analyzer.analyzeText("pkg/mod.py", code)).findings.map((f) => f.message);
}

const SUBPROCESS = "import subprocess\nimport eventlet\n\nsubprocess.check_output(['ls'])\n";

describe("EVL201 and the eventlet in use", () => {
  test("unknown version, program not known to be patched: the plain advice", async () => {
    expect(await messages(greenUnawareSubprocess, SUBPROCESS)).toEqual([
      "subprocess.check_output() blocks every green thread of this process while the child runs, unless its program monkey-patched first, and nothing on this module's import chain is known to: use oslo_concurrency.processutils.execute() or eventlet.green.subprocess.",
    ]);
  });

  test("0.19.x: monkey_patch() leaves subprocess native", async () => {
    const [message] = await messages(greenUnawareSubprocess, SUBPROCESS, "eventlet==0.19.0\n");
    expect(message).toContain(": eventlet 0.19.0 (requirements.txt:1) predates 0.20.0, whose monkey_patch() leaves subprocess native; use oslo_concurrency");
  });

  test("a range that reaches below 0.20.0 says which requirement decided", async () => {
    const [message] = await messages(greenUnawareSubprocess, SUBPROCESS, "eventlet>=0.19.0\n");
    expect(message).toContain("eventlet >= 0.19.0 (requirements.txt:1) allows releases before 0.20.0");
  });

  test("0.20.0 in a program not known to be patched: the patch cannot be relied on", async () => {
    const [message] = await messages(greenUnawareSubprocess, SUBPROCESS, "eventlet==0.20.0\n");
    expect(message).toContain("unless its program monkey-patched first");
  });
});

const SPAWN = "import eventlet\nimport kombu\n\nclass C:\n    def start(self):\n        eventlet.spawn(self._heartbeat_loop)\n";
const FORCED = "from oslo_config import cfg\ncfg.CONF.set_override('heartbeat_in_pthread', False, group='oslo_messaging_rabbit')\n";

describe("EVL401 and the oslo.messaging in use", () => {
  test.each([
    ["14.8.0", "with oslo.messaging >= 14.8.0 (requirements.txt:1) set heartbeat_in_pthread = True for services under mod_wsgi/uwsgi instead."],
    ["14.9.0", "and oslo.messaging >= 14.9.0 (requirements.txt:1) deprecates the option (removed in 18.0.0): remove the override."],
    ["17.3.0", "and oslo.messaging >= 17.3.0 (requirements.txt:1) deprecates the option"],
    ["18.0.0", "heartbeat_in_pthread no longer exists in oslo.messaging >= 18.0.0 (requirements.txt:1), which always runs the RabbitMQ heartbeat in a native thread: the option must go."],
  ])("forcing the option off at %s", async (version, expected) => {
    const [message] = await messages(heartbeatInGreenThread, FORCED, `oslo.messaging>=${version}\n`);
    expect(message).toContain(expected);
  });

  test("forcing the option off, version unknown", async () => {
    expect(await messages(heartbeatInGreenThread, FORCED)).toEqual([
      "forcing heartbeat_in_pthread to False keeps the AMQP heartbeat on green threads, where mod_wsgi/uwsgi stall it and RabbitMQ drops the connection: remove the override.",
    ]);
  });

  test.each([
    ["14.8.9", "needs [oslo_messaging_rabbit] heartbeat_in_pthread = True under mod_wsgi/uwsgi"],
    ["14.9.0", "deprecates heartbeat_in_pthread, 18.0.0 always runs it natively"],
    ["18.0.0", "oslo.messaging's own heartbeat is always native in oslo.messaging >= 18.0.0"],
  ])("a green heartbeat loop at %s", async (version, expected) => {
    const [message] = await messages(heartbeatInGreenThread, SPAWN, `oslo.messaging>=${version}\n`);
    expect(message).toMatch(/^_heartbeat_loop runs as a green thread/);
    expect(message).toContain(expected);
  });
});
