/**
 * The process entry of the released Action (`runs.using: node24`, built by scripts/release-action.ts):
 * the runner hands inputs over as INPUT_<NAME> variables, and the review is `eventlet-review github`.
 */
import { main } from "./main.js";

/** An input as the runner sets it: INPUT_ and the name upper-cased, spaces as underscores, hyphens kept. */
function input(name: string): string {
  return process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`]?.trim() ?? "";
}

if (!process.env.GITHUB_TOKEN && input("github-token")) process.env.GITHUB_TOKEN = input("github-token");
const args = ["github", "--reporter", input("reporter") || "review", "--config", input("config") || ".eventlet-review.yaml"];
args.push("--sarif", input("sarif-file") || "eventlet-review.sarif");
if (input("fail-level")) args.push("--fail-level", input("fail-level"));
process.exitCode = await main(args);
