/**
 * GET /status: the operator's page, behind STATUS_TOKEN (a Bearer token, or the password of HTTP basic
 * auth so a phone's browser asks for it once). Without STATUS_TOKEN there is no page (404), so a
 * service on 0.0.0.0 shows nothing by default. Every piece is read when the page is asked for.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, PlatformAdapter, StatusSection } from "../../platforms/adapter.js";
import type { ServiceQueue } from "../queue/index.js";
import type { Settings } from "../settings.js";
import type { Store } from "../store/store.js";
import { RATIO_WINDOW_DAYS } from "../feedback.js";
import { renderStatusPage, type StatusData } from "./page.js";

export interface StatusDeps {
  settings: Pick<Settings, "STATUS_TOKEN" | "FEEDBACK_FLAG_RATIO" | "FEEDBACK_FLAG_MIN_FINDINGS">;
  queue: ServiceQueue;
  adapters: readonly PlatformAdapter[];
  store?: Store;
  logger: Logger;
  now?: () => Date;
}

/** Equal in constant time (hashes first, so the lengths do not leak either). */
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

export function authorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme, value = ""] = header.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? "")) return same(value, token);
  if (/^basic$/i.test(scheme ?? "")) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 && same(decoded.slice(colon + 1), token);
  }
  return false;
}

export async function collectStatus(deps: StatusDeps): Promise<StatusData> {
  const settled = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      deps.logger.warn({ err, what }, "status page: could not read");
      return fallback;
    }
  };
  const [reviews, depth, deadLetters, rules, sections] = await Promise.all([
    settled("reviews", async () => (deps.store ? deps.store.recentReviews(50) : []), []),
    settled("queue depth", () => deps.queue.depth(), undefined),
    settled("dead letters", () => deps.queue.deadLetters(), []),
    settled("rule stats", async () => (deps.store ? deps.store.ruleStats(RATIO_WINDOW_DAYS) : []), []),
    Promise.all(
      deps.adapters
        .filter((a) => a.status)
        .map((a) => settled<StatusSection>(`${a.platform} status`, () => a.status!(), { title: a.platform, rows: [{ label: "state", value: "could not be read", warn: true }] })),
    ),
  ]);
  return {
    now: (deps.now ?? (() => new Date()))(),
    queueKind: deps.queue.kind,
    storeKind: deps.store?.kind,
    reviews,
    depth,
    deadLetters,
    rules,
    sections,
    flagRatio: deps.settings.FEEDBACK_FLAG_RATIO,
    flagMinFindings: deps.settings.FEEDBACK_FLAG_MIN_FINDINGS,
    windowDays: RATIO_WINDOW_DAYS,
  };
}

/** The handler the server calls for GET/HEAD /status; returns the status it answered. */
export function statusHandler(deps: StatusDeps): (req: IncomingMessage, res: ServerResponse) => Promise<number> {
  return async (req, res) => {
    const token = deps.settings.STATUS_TOKEN;
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
      return status;
    };
    if (!token) return answer(404, "not found\n");
    if (!authorized(req.headers.authorization, token)) {
      return answer(401, "unauthorized\n", { "WWW-Authenticate": 'Basic realm="eventlet-review status", charset="UTF-8"' });
    }
    const html = renderStatusPage(await collectStatus(deps));
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    });
    res.end(req.method === "HEAD" ? undefined : html);
    return 200;
  };
}
