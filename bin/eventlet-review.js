#!/usr/bin/env node
// Runs the CLI as `npm install` builds it (the `prepare` script): the bundle in dist/bundle/ (a few
// files for Node to load instead of some 200 modules), else the compiled modules in dist/ (a build of
// the TypeScript alone, as the Action's).
let cli;
for (const built of ["../dist/bundle/main.js", "../dist/cli/main.js"]) {
  try {
    cli = await import(built);
    break;
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(built.slice(3))) throw error;
  }
}
if (!cli) {
  process.stderr.write("eventlet-review: the CLI is not built yet: run `npm install` (or `npm run build`) in its folder\n");
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
