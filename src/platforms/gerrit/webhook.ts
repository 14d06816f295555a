/**
 * The webhooks plugin's endpoint: `POST /gerrit/events/<GERRIT_WEBHOOK_TOKEN>`. The plugin cannot sign
 * requests, so the unguessable token in the URL is the credential: compared in constant time, and
 * anything else under /gerrit/events gets the same 404 as an unknown path. The token never reaches a log.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../adapter.js";

const PREFIX = "/gerrit/events";
const BODY_LIMIT = 1024 * 1024;

export function tokenMatches(given: string, expected: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const raw = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(raw)) return raw;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
}

/** Returns false for paths outside /gerrit/events (not ours); answers everything under it. */
export function webhookHandler(
  token: string,
  logger: Logger,
  accept: (body: string) => Promise<string>,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    const given = decodeURIComponentSafe(path.slice(PREFIX.length + 1));
    if (!given || given.includes("/") || !tokenMatches(given, token)) {
      logger.warn({ path: `${PREFIX}/<redacted>`, method: req.method }, "Gerrit webhook with a wrong token refused");
      reply(res, 404, "not found");
      return true;
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      reply(res, 405, "method not allowed");
      return true;
    }
    const body = await readBody(req);
    if (body === undefined) {
      reply(res, 413, "payload too large");
      return true;
    }
    const outcome = await accept(body.toString("utf8"));
    if (outcome === "invalid") reply(res, 400, "not a Gerrit event");
    else reply(res, outcome === "queued" ? 202 : 200, outcome);
    return true;
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "";
  }
}
