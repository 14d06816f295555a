/**
 * Who may read /metrics. Its labels name repositories and rules, and its counters show the service's
 * traffic, so it is not for everyone who can reach the webhook port:
 * - METRICS_TOKEN set: `Authorization: Bearer <token>` from anywhere;
 * - METRICS_PORT set: served only on that operator port (METRICS_HOST, default 127.0.0.1), never on PORT;
 * - neither: only clients on this host (loopback) on PORT; others get 403 saying what to set.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface MetricsAccessSettings {
  METRICS_TOKEN?: string;
  METRICS_PORT?: number;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, "");
  return a === "::1" || /^127(\.\d{1,3}){3}$/.test(a);
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Undefined when `req` may read the metrics on this listener; else the status and why. */
export function metricsRefusal(req: IncomingMessage, settings: MetricsAccessSettings, listener: "main" | "operator"): { status: number; text: string } | undefined {
  if (listener === "main" && settings.METRICS_PORT !== undefined) return { status: 404, text: "not found" };
  const token = settings.METRICS_TOKEN;
  if (token !== undefined) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    // Constant time whatever the lengths: compare digests.
    return timingSafeEqual(digest(given), digest(token)) && given.length === token.length ? undefined : { status: 401, text: "metrics need Authorization: Bearer <METRICS_TOKEN>" };
  }
  if (listener === "operator" || isLoopbackAddress(req.socket.remoteAddress)) return undefined;
  return { status: 403, text: "metrics are served to this host only: set METRICS_TOKEN, or METRICS_PORT for an operator port" };
}
