import { greenUnawareSubprocess } from "../../src/rules/EVL201-green-unaware-subprocess.js";
import { ruleTester } from "../helpers/rule-tester.js";

ruleTester(greenUnawareSubprocess, {
  valid: [
    { name: "no eventlet in the module", code: "import subprocess\n\nsubprocess.check_output(['ls'])\n" },
    {
      name: "eventlet.green.subprocess",
      code: "import eventlet\nfrom eventlet.green import subprocess\n\nsubprocess.Popen(['ls'], stdout=subprocess.PIPE)\n",
    },
    {
      name: "oslo_concurrency.processutils",
      code: "import eventlet\nfrom oslo_concurrency import processutils\n\nprocessutils.execute('ls')\n",
    },
    {
      name: "the native subprocess, explicitly, for tpool (neutron's Windows utils)",
      code: "import eventlet\nfrom eventlet import tpool\n\nsubprocess = eventlet.patcher.original('subprocess')\npopen = subprocess.Popen\n",
    },
    { name: "subprocess constants are not calls that spawn", code: "import eventlet\nimport subprocess\n\nPIPE = subprocess.PIPE\nerr = subprocess.CalledProcessError\n" },
    { name: "subprocess mentioned in a string", code: "import eventlet\nLOG.debug('subprocess.Popen failed')\n" },
    { name: "an unrelated .run()", code: "import eventlet\nimport subprocess\n\nserver.run()\n" },
  ],
  invalid: [
    {
      name: "subprocess.Popen in a module that imports eventlet",
      code: "import subprocess\n\nimport eventlet\n\np = subprocess.Popen(cmd, stdout=subprocess.PIPE)\n",
      errors: [{ line: 5, column: 5, endColumn: 50, message: /processutils/ }],
    },
    {
      name: "every spawning entry point",
      code: `
      import subprocess
      from eventlet import greenthread

      subprocess.call(a)
      subprocess.check_call(a)
      subprocess.check_output(a)
      subprocess.run(a)
      subprocess.getoutput(a)
      subprocess.getstatusoutput(a)
      `,
      errors: [{ line: 4 }, { line: 5 }, { line: 6 }, { line: 7 }, { line: 8 }, { line: 9 }],
    },
    {
      name: "a name imported from subprocess",
      code: "from subprocess import check_output as co\nimport eventlet.greenpool\n\nco(['ls'])\n",
      errors: [{ line: 4, column: 1 }],
    },
    {
      name: "an aliased subprocess module and greenthread import",
      code: "import subprocess as sp\nfrom eventlet import greenpool\n\ndef run():\n    return sp.run(['ls'], check=True)\n",
      errors: [{ line: 5, column: 12 }],
    },
    {
      name: "eventlet imported inside a function still marks the module",
      code: "import subprocess\n\ndef spawn():\n    import eventlet\n    eventlet.spawn(subprocess.check_call, ['ls'])\n\nsubprocess.check_call(['true'])\n",
      errors: [{ line: 7 }],
    },
  ],
});
