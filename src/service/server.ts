/**
 * The one HTTP server: /healthz, /readyz and /metrics answered here; every other request first offered to
 * each platform's refuseEarly (a wrong token is refused before the body is read), then read under the
 * body limit (413 beyond) and offered to each platform's handleHttp in turn; 404 when none takes it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BodyTooLarge, readBody, replayRequest } from "./http.js";
import { metricsRefusal, type MetricsAccessSettings } from "./metrics-access.js";
import type { Metrics } from "./metrics.js";
import type { Logger, PlatformAdapter } from "../platforms/adapter.js";

export interface Readiness {
  ready: boolean;
  /** What is not ready yet (empty when ready). */
  waitingFor: string[];
}

export interface ServerContext {
  adapters: readonly PlatformAdapter[];
  metrics: Metrics;
  logger: Logger;
  bodyLimit: number;
  readiness(): Readiness;
  /** True once shutdown began: events are refused with 503 so the sender retries elsewhere or later. */
  draining(): boolean;
  /** Who may read /metrics (metrics-access.ts); default: loopback clients only. */
  metricsAccess?: MetricsAccessSettings;
  /** `operator`: the METRICS_PORT listener, which answers /metrics, /status, /healthz and /readyz only. */
  listener?: "main" | "operator";
  /** GET /status: the operator's page (status/handler.ts), which checks its own token. */
  status?: (req: IncomingMessage, res: ServerResponse) => Promise<number>;
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8", extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...extra });
  res.end(body);
}

export function createHttpServer(ctx: ServerContext): Server {
  const count = (handler: string, status: number) => ctx.metrics.http.inc({ handler, status: String(status) });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    const read = method === "GET" || method === "HEAD";

    if (path === "/healthz" && read) {
      send(res, 200, "ok\n");
      return count("healthz", 200);
    }
    if (path === "/readyz" && read) {
      const state = ctx.readiness();
      send(res, state.ready ? 200 : 503, `${JSON.stringify(state)}\n`, "application/json");
      return count("readyz", state.ready ? 200 : 503);
    }
    if (path === "/metrics" && read) {
      const refused = metricsRefusal(req, ctx.metricsAccess ?? {}, ctx.listener ?? "main");
      if (refused) {
        send(res, refused.status, `${refused.text}\n`, undefined, refused.status === 401 ? { "WWW-Authenticate": 'Bearer realm="metrics"' } : {});
        return count("metrics", refused.status);
      }
      send(res, 200, await ctx.metrics.text(), ctx.metrics.contentType);
      return count("metrics", 200);
    }
    if (path === "/status" && read && ctx.status) return count("status", await ctx.status(req, res));
    if (ctx.listener === "operator") {
      send(res, 404, "not found\n");
      return count("none", 404);
    }
    if (ctx.draining()) {
      send(res, 503, "shutting down\n", undefined, { Connection: "close", "Retry-After": "5" });
      return count("none", 503);
    }

    for (const adapter of ctx.adapters) {
      const refusal = adapter.refuseEarly?.(req);
      if (!refusal) continue;
      // Answered from the headers: the body is never read, and the connection closes after the answer.
      send(res, refusal.status, `${refusal.text}\n`, undefined, { ...refusal.headers, Connection: "close" });
      res.once("finish", () => req.destroy());
      return count(adapter.platform, refusal.status);
    }

    let request = req;
    if (!read) {
      let body: Buffer;
      try {
        body = await readBody(req, ctx.bodyLimit);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          ctx.logger.warn({ method, path, limit: ctx.bodyLimit }, "request body too large; refused");
          // Do not read the rest: answer and close the connection.
          send(res, 413, "payload too large\n", undefined, { Connection: "close" });
          res.once("finish", () => req.destroy());
          return count("none", 413);
        }
        throw err;
      }
      request = replayRequest(req, body);
    }
    if (ctx.draining()) {
      // Shutdown began while the body was on its way.
      send(res, 503, "shutting down\n", undefined, { Connection: "close", "Retry-After": "5" });
      return count("none", 503);
    }
    for (const adapter of ctx.adapters) {
      if (!adapter.handleHttp) continue;
      if (await adapter.handleHttp(request, res)) {
        if (!res.writableEnded) await new Promise<void>((resolve) => res.once("close", resolve));
        return count(adapter.platform, res.statusCode);
      }
    }
    send(res, 404, "not found\n");
    count("none", 404);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      ctx.logger.error({ err, method: req.method, path: (req.url ?? "").split("?")[0] }, "request failed");
      send(res, 500, "internal error\n");
      count("none", 500);
    });
  });
  // Slow or stalled senders must not hold sockets: GitHub and Gerrit send a webhook in well under this.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
