/**
 * The webhooks plugin's endpoint. The plugin cannot sign requests, so an unguessable token is the
 * credential, given either way:
 * - `Authorization: Bearer <token>` on `POST /gerrit/events` (preferred: headers stay out of access logs;
 *   the plugin sets no headers of its own, so a reverse proxy in front adds it);
 * - `POST /gerrit/events/<token>` (the plugin's URL alone; discouraged: the path lands in proxy logs).
 * Compared in constant time and decided from the headers alone (`refuseEarly`), so the service refuses a
 * request with a missing or wrong token before reading a byte of its body. The token never reaches a log.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EarlyRefusal, Logger } from "../adapter.js";

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

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  res.end(`${text}\n`);
}

export interface WebhookEndpoint {
  /** Undefined for a request this endpoint takes (or that is not under /gerrit/events); else the refusal. */
  refuseEarly(req: IncomingMessage): EarlyRefusal | undefined;
  /** Returns false for paths outside /gerrit/events (not ours); answers everything under it. */
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const ours = (path: string) => path === PREFIX || path.startsWith(`${PREFIX}/`);

export function webhookHandler(token: string, logger: Logger, accept: (body: string) => Promise<string>): WebhookEndpoint {
  function refuseEarly(req: IncomingMessage): EarlyRefusal | undefined {
    const path = (req.url ?? "").split("?")[0]!;
    if (!ours(path)) return undefined;
    const inPath = path.length > PREFIX.length + 1 ? decodeURIComponentSafe(path.slice(PREFIX.length + 1)) : "";
    const header = req.headers.authorization;
    const bearer = header === undefined ? undefined : (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? "");
    const where = { path: inPath ? `${PREFIX}/<redacted>` : PREFIX, method: req.method };
    if (bearer !== undefined) {
      // A header and a path token must not disagree; a malformed header is a wrong token.
      if (!tokenMatches(bearer, token) || (inPath && !tokenMatches(inPath, token))) {
        logger.warn(where, "Gerrit webhook with a wrong token refused before its body");
        return { status: 403, text: "forbidden" };
      }
      return undefined;
    }
    if (!inPath) {
      logger.warn(where, "Gerrit webhook without a token refused before its body");
      return { status: 401, text: "unauthorized", headers: { "WWW-Authenticate": 'Bearer realm="gerrit-events"' } };
    }
    if (inPath.includes("/") || !tokenMatches(inPath, token)) {
      // Like an unknown path: a guess at the URL learns nothing.
      logger.warn(where, "Gerrit webhook with a wrong token refused before its body");
      return { status: 404, text: "not found" };
    }
    return undefined;
  }

  return {
    refuseEarly,
    async handleHttp(req, res) {
      const path = (req.url ?? "").split("?")[0]!;
      if (!ours(path)) return false;
      // The service's server asked refuseEarly before reading the body; a caller that did not is covered too.
      const refusal = refuseEarly(req);
      if (refusal) {
        reply(res, refusal.status, refusal.text, refusal.headers);
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
    },
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "\u0000invalid";
  }
}
