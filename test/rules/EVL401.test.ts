import { heartbeatInGreenThread } from "../../src/rules/EVL401-heartbeat-in-green-thread.js";
import { ruleTester } from "../support/rule-tester.js";

ruleTester(heartbeatInGreenThread, {
  valid: [
    {
      name: "a native thread from eventlet.patcher.original",
      code: `
      import eventlet
      threading = eventlet.patcher.original('threading')

      class Connection:
          def start(self):
              threading.Thread(target=self._heartbeat_loop, daemon=True).start()
      `,
    },
    {
      name: "threading.Thread in a module that does not use eventlet (oslo.messaging's impl_rabbit)",
      code: "import threading\n\nt = threading.Thread(target=self._heartbeat_thread_job, name='Rabbit-heartbeat')\n",
    },
    { name: "a green thread for other work", code: "import eventlet\n\neventlet.spawn(self._process_messages)\n" },
    {
      name: "an application-level state report via a looping call (neutron agents)",
      code: "import eventlet\nfrom oslo_service import loopingcall\n\nheartbeat = loopingcall.FixedIntervalLoopingCall(self._report_state)\nheartbeat.start(interval=30)\n",
    },
    { name: "heartbeat_in_pthread=True", code: "conf.set_override('heartbeat_in_pthread', True, group='oslo_messaging_rabbit')\n" },
    {
      name: "heartbeat_in_pthread=False in tests",
      path: "pkg/tests/unit/test_rabbit.py",
      code: "self.config(heartbeat_in_pthread=False, group='oslo_messaging_rabbit')\n",
    },
    { name: "reading the option is not forcing it", code: "if conf.heartbeat_in_pthread is False:\n    pass\n" },
    { name: "a spawn without eventlet in the module", code: "pool.spawn(self._heartbeat)\n" },
    {
      name: "a statistics daemon's heartbeat loop is not the AMQP heartbeat",
      path: "pkg/stats/daemon.py",
      code: `
      import socket

      import eventlet

      class StatsDaemon:
          def __init__(self, conf):
              self.interval = conf.heartbeat_interval
              self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

          def start(self):
              eventlet.spawn(self._heartbeat)
              eventlet.spawn_n(self.health_check)

          def _heartbeat(self):
              while True:
                  self.sock.sendto(b'alive', ('127.0.0.1', 8125))
                  eventlet.sleep(self.interval)
      `,
    },
    {
      name: "a service's own liveness report on a native-looking thread, no messaging in the module",
      code: "import threading\nimport eventlet\n\nthreading.Thread(target=self._report_heartbeat).start()\n",
    },
  ],
  invalid: [
    {
      name: "eventlet.spawn of a heartbeat loop",
      code: "import kombu\nimport eventlet\n\nclass Connection:\n    def start(self):\n        eventlet.spawn(self._heartbeat_loop)\n",
      errors: [{ line: 6, column: 9, endColumn: 45, message: "patcher.original('threading')" }],
    },
    { name: "eventlet.spawn_n", code: "import kombu\nimport eventlet\neventlet.spawn_n(heartbeat)\n", errors: [{ line: 3 }] },
    { name: "spawn_after: the callable is the second argument", code: "import kombu\nimport eventlet\neventlet.spawn_after(5, self.heartbeat_check)\n", errors: [{ line: 3 }] },
    { name: "greenthread.spawn", code: "import kombu\nfrom eventlet import greenthread\ngreenthread.spawn(self._health_check)\n", errors: [{ line: 3 }] },
    { name: "an aliased eventlet", code: "import kombu\nimport eventlet as ev\nev.spawn(self.heartbeat)\n", errors: [{ line: 3 }] },
    {
      name: "a GreenPool's spawn",
      code: "import kombu\nimport eventlet\npool = eventlet.GreenPool()\npool.spawn_n(self._heartbeat_thread_job)\n",
      errors: [{ line: 4 }],
    },
    {
      name: "functools.partial of a heartbeat",
      code: "import kombu\nimport functools\nimport eventlet\neventlet.spawn(functools.partial(self._heartbeat, conn))\n",
      errors: [{ line: 4 }],
    },
    {
      name: "threading.Thread in a module that uses eventlet",
      code: "import kombu\nimport threading\nimport eventlet\n\nthreading.Thread(target=self._heartbeat_loop).start()\n",
      errors: [{ line: 5, column: 1, endColumn: 46 }],
    },
    {
      name: "threading.Thread with the target positionally",
      code: "import kombu\nimport threading\nimport eventlet\n\nthreading.Thread(None, self.healthcheck)\n",
      errors: [{ line: 5 }],
    },
    {
      name: "amqp imported: a connection's heartbeat",
      code: "import amqp\nimport eventlet\n\nconn = amqp.Connection(heartbeat=60)\neventlet.spawn(conn.heartbeat_tick)\n",
      errors: [{ line: 5 }],
    },
    {
      name: "oslo.messaging driver code (by path)",
      path: "oslo_messaging/_drivers/impl_fake_broker.py",
      code: "import eventlet\n\ndef start(conn):\n    eventlet.spawn(conn._heartbeat_loop)\n",
      errors: [{ line: 4 }],
    },
    {
      name: "a messaging connection's heartbeat_* option read in the module",
      code: "import eventlet\n\ndef start(conn, driver_conf):\n    if driver_conf.heartbeat_timeout_threshold:\n        eventlet.spawn(conn.heartbeat_check)\n",
      errors: [{ line: 5 }],
    },
    {
      name: "heartbeat_in_pthread forced off with set_override",
      code: "conf.set_override('heartbeat_in_pthread', False, group='oslo_messaging_rabbit')\n",
      errors: [{ line: 1, column: 1, message: "heartbeat_in_pthread" }],
    },
    { name: "forced off as a keyword", code: "cfg.CONF.set_default(heartbeat_in_pthread=False)\n", errors: [{ line: 1, column: 22 }] },
    { name: "forced off by assignment", code: "conf.oslo_messaging_rabbit.heartbeat_in_pthread = False\n", errors: [{ line: 1 }] },
    { name: "forced off in a dict", code: "OPTS = {'heartbeat_in_pthread': False}\n", errors: [{ line: 1, column: 9 }] },
  ],
});
