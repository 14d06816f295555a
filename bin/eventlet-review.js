#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the `prepare` script).
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli/main.js")) throw error;
  process.stderr.write("eventlet-review: the CLI is not built yet: run `npm install` (or `npm run build`) in its folder\n");
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
