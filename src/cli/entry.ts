/** The process entry of the single-file build (scripts/bundle.ts); bin/eventlet-review.js is the npm one. */
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
