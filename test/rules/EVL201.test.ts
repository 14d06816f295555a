import { greenUnawareSubprocess } from "../../src/rules/EVL201-green-unaware-subprocess.js";
import { ruleTester } from "../support/rule-tester.js";

const PATCHED = "import eventlet\neventlet.monkey_patch()\n";

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
    {
      name: "a program known to be fully patched: its tests package patched first",
      path: "pkg/tests/test_run.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": PATCHED },
      code: "import subprocess\n\nimport eventlet\n\ndef test_run():\n    subprocess.check_call(['true'])\n",
    },
    {
      name: "after the module's own full patch (os=False and thread=False still patch subprocess)",
      path: "pkg/cmd/run.py",
      files: { "pkg/__init__.py": "", "pkg/cmd/__init__.py": "" },
      code: "import eventlet\neventlet.monkey_patch(os=False, thread=False)\n\nimport subprocess  # noqa: E402\n\nsubprocess.check_call(['true'])\n\ndef main():\n    subprocess.run(['true'])\n",
    },
    {
      name: "an entry point that patches in main(): other functions run after it",
      path: "pkg/cmd/run.py",
      files: { "pkg/__init__.py": "", "pkg/cmd/__init__.py": "" },
      code: "import subprocess\n\nimport eventlet\n\ndef work():\n    subprocess.call(['true'])\n\ndef main():\n    eventlet.monkey_patch()\n    work()\n",
    },
    {
      name: "library code of a subpackage whose service program patches (cinder-backup runs cinder/backup/)",
      path: "pkg/backup/drivers/tape.py",
      files: { "pkg/__init__.py": "", "pkg/backup/__init__.py": "", "pkg/backup/drivers/__init__.py": "", "pkg/cmd/__init__.py": "", "pkg/cmd/backup.py": `${PATCHED}\ndef main():\n    pass\n` },
      code: "import subprocess\nfrom eventlet import tpool\n\ndef dump():\n    return subprocess.Popen(['tar', 'c', '.'])\n",
    },
    {
      name: "the config says the code runs on eventlet",
      config: { concurrency: { "pkg/**": "eventlet" } },
      code: "import subprocess\nimport eventlet\n\nsubprocess.Popen(['ls'])\n",
    },
    {
      name: "a conditional rebinding to the green module (processutils' shape)",
      code: `
      import subprocess

      from oslo_utils import importutils

      eventlet = importutils.try_import('eventlet')
      if eventlet and eventlet.patcher.is_monkey_patched('thread'):
          from eventlet.green import subprocess  # noqa: F811

      def run(cmd):
          return subprocess.Popen(cmd).communicate()
      `,
    },
    {
      name: "a conditional rebinding to the original module (processutils on Windows)",
      code: `
      import os
      import subprocess

      import eventlet
      from eventlet import tpool

      if os.name == 'nt':
          subprocess = eventlet.patcher.original('subprocess')

      def run(cmd):
          return tpool.execute(subprocess.Popen(cmd).communicate)
      `,
    },
    {
      name: "an eventlet that patches subprocess, in a patched program",
      path: "pkg/tests/test_run.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": PATCHED, "requirements.txt": "eventlet>=0.30.1\n" },
      code: "import subprocess\nimport eventlet\n\nsubprocess.run(['ls'])\n",
    },
  ],
  invalid: [
    {
      name: "before the module's own patch: stdlib subprocess is still native",
      path: "pkg/cmd/run.py",
      files: { "pkg/__init__.py": "", "pkg/cmd/__init__.py": "" },
      code: "import subprocess\nimport eventlet\n\nVERSION = subprocess.check_output(['git', 'describe'])\neventlet.monkey_patch()\n",
      errors: [{ line: 4, message: "unless its program monkey-patched first, and nothing on this module's import chain is known to" }],
    },
    {
      name: "a patch that leaves subprocess out (subprocess=False)",
      path: "pkg/tests/test_run.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch(subprocess=False)\n" },
      code: "import subprocess\nimport eventlet\n\nsubprocess.run(['ls'])\n",
      errors: [{ line: 4, message: "the patch at pkg/tests/__init__.py:2 leaves subprocess native" }],
    },
    {
      name: "a partial patch that names only other modules",
      path: "pkg/cmd/run.py",
      files: { "pkg/__init__.py": "", "pkg/cmd/__init__.py": "" },
      code: "import eventlet\neventlet.monkey_patch(socket=True, time=True)\nimport subprocess\n\ndef main():\n    subprocess.run(['ls'])\n",
      errors: [{ line: 6, message: "pkg/cmd/run.py:2 leaves subprocess native" }],
    },
    {
      name: "a patched program whose requirements allow an eventlet before 0.20.0",
      path: "pkg/tests/test_run.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": PATCHED, "requirements.txt": "eventlet>=0.18.2\n" },
      code: "import subprocess\nimport eventlet\n\nsubprocess.run(['ls'])\n",
      errors: [{ line: 4, message: "eventlet >= 0.18.2 (requirements.txt:1) allows releases before 0.20.0, whose monkey_patch() leaves subprocess native" }],
    },
    {
      name: "library code of a subpackage whose service program runs on threads",
      path: "pkg/volume/driver.py",
      files: { "pkg/__init__.py": "", "pkg/volume/__init__.py": "", "pkg/cmd/__init__.py": "", "pkg/cmd/volume.py": "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n" },
      code: "import subprocess\nimport eventlet\n\ndef attach():\n    subprocess.run(['iscsiadm'])\n",
      errors: [{ line: 5, message: "nothing on this module's import chain is known to" }],
    },
    {
      name: "a rebinding of another name does not cover subprocess",
      code: "import subprocess\nimport eventlet\n\nsp = eventlet.patcher.original('subprocess')\nsubprocess.call(['ls'])\n",
      errors: [{ line: 5 }],
    },
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
