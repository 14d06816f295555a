/**
 * Request bodies for the platforms: read once by the server under a size limit, then replayed to the
 * platform handler as a fresh IncomingMessage that also carries `rawBody`, so Probot's middleware and the
 * Gerrit endpoint read it as they would from the socket.
 */
import { IncomingMessage } from "node:http";

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** The whole body, at most `limit` bytes (BodyTooLarge beyond). Uses `rawBody` when the server read it. */
export async function readBody(req: IncomingMessage, limit = Infinity): Promise<Buffer> {
  const raw = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(raw)) return raw;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** A request that replays `body`: same method, URL, headers and socket; `rawBody` set. */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  // The original already drained the socket: reading the copy must not touch it.
  copy._read = () => {};
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  (copy as { rawBody?: Buffer }).rawBody = body;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  copy.complete = true;
  return copy;
}
