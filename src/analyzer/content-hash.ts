/** The hash a file's results are kept under (the CLI's results cache): the same on every thread. */
import { createHash } from "node:crypto";

export function contentHash(data: string | Uint8Array): string {
  return createHash("sha1").update(data).digest("base64url");
}
