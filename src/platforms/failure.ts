/**
 * What an API call ran into, as one short word for metrics and logs: the HTTP status when the platform
 * answered, else the network failure found in the error's `cause` chain. Octokit reports a request that
 * never got an answer as status 500 (`@octokit/request` wraps fetch's TypeError), and undici's "fetch
 * failed" says nothing until its cause is read: both are taken apart here.
 */

/** `http:403`, `dns`, `tls`, `timeout`, `network:ECONNREFUSED`, or `network` when nothing says more. */
export type ApiFailure = `http:${number}` | "dns" | "tls" | "timeout" | `network:${string}` | "network";

export function httpFailure(status: number): ApiFailure {
  return `http:${status}`;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA"]);
const TIMEOUT_NAMES = new Set(["AbortError", "TimeoutError"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ABORT_ERR", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

function isTlsCode(code: string): boolean {
  return (
    /^(ERR_TLS_|ERR_SSL_|CERT_|ERR_OSSL_)/.test(code) ||
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "HOSTNAME_MISMATCH"].includes(code)
  );
}

/** The error and its causes, outermost first (AggregateError's members too: undici's happy eyeballs). */
function chain(error: unknown): Array<{ name?: string; code?: string; message?: string }> {
  const out: Array<{ name?: string; code?: string; message?: string }> = [];
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < 10) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    out.push({
      name: typeof name === "string" ? name : undefined,
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : undefined,
    });
    queue.push((e as { cause?: unknown }).cause);
    if (Array.isArray((e as { errors?: unknown }).errors)) queue.push(...(e as { errors: unknown[] }).errors);
  }
  return out;
}

/** The failure of a request that got no HTTP answer (fetch rejected). */
export function networkFailure(error: unknown): ApiFailure {
  const links = chain(error);
  const codes = links.map((l) => l.code).filter((c): c is string => c !== undefined);
  if (codes.some((c) => DNS_CODES.has(c))) return "dns";
  if (codes.some(isTlsCode)) return "tls";
  if (codes.some((c) => TIMEOUT_CODES.has(c)) || links.some((l) => l.name !== undefined && TIMEOUT_NAMES.has(l.name))) return "timeout";
  const code = codes.find((c) => /^E[A-Z]+$/.test(c)) ?? codes.find((c) => c.startsWith("UND_ERR_"));
  return code ? `network:${code}` : "network";
}

/**
 * One line for a log: the error's message and, when it hides its reason ("fetch failed"), each cause's
 * code and message, e.g. `fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8080)`.
 */
export function describeFailure(error: unknown): string {
  const [head, ...causes] = chain(error);
  if (!head) return String(error);
  const parts: string[] = [];
  for (const c of causes) {
    const text = [c.code, c.message].filter((t) => t && !head.message?.includes(t)).join(": ");
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
  }
  const message = head.message ?? String(error);
  return parts.length > 0 ? `${message} (${parts.join("; ")})` : message;
}
