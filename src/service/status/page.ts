/**
 * The status page as one server-rendered HTML document: no script, no framework, every value escaped.
 * It reloads itself every 30 s (meta refresh) and fits a phone: tables are the width of the screen and
 * long values wrap instead of widening the page.
 */
import type { StatusSection } from "../../platforms/adapter.js";
import type { DeadLetter, QueueDepth } from "../queue/index.js";
import type { RuleStats, StoredReview } from "../store/store.js";

export interface StatusData {
  now: Date;
  queueKind: "memory" | "redis";
  storeKind?: "sqlite" | "postgres";
  reviews: StoredReview[];
  depth?: QueueDepth;
  deadLetters: DeadLetter[];
  rules: RuleStats[];
  sections: StatusSection[];
  flagRatio: number;
  flagMinFindings: number;
  windowDays: number;
}

export const REFRESH_SECONDS = 30;
const DEAD_LETTERS_SHOWN = 20;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const e = escapeHtml;

/** Only http(s) links are made links (a stored URL never becomes `javascript:`). */
function link(url: string | undefined, text: string): string {
  return url && /^https?:\/\//i.test(url) ? `<a href="${e(url)}">${e(text)}</a>` : e(text);
}

/** "3 min ago", from the page's own clock. */
export function ago(at: string | Date, now: Date): string {
  const seconds = Math.round((now.getTime() - new Date(at).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** A rule is flagged, never turned off, once enough findings and a ratio past the threshold. */
export function flagged(s: RuleStats, ratio: number, minFindings: number): boolean {
  return s.findings >= minFindings && s.ratio > ratio;
}

function reviewsTable(data: StatusData): string {
  if (data.reviews.length === 0) return `<p class="muted">No review published yet${data.storeKind ? "" : " (no store configured)"}.</p>`;
  const rows = data.reviews.map((r) => {
    const what = r.platform === "github" ? `${r.repository}#${r.change}` : `${r.repository} ${r.change}`;
    const rev = r.platform === "github" ? r.revision.slice(0, 7) : `PS ${r.revision}`;
    return `<tr><td>${link(r.url, what)}<br><span class="muted">${e(r.platform)} · ${e(rev)}</span></td><td class="n">${r.findings}</td><td class="n">${r.posted}/${r.resolved}</td><td class="n">${(r.durationMs / 1000).toFixed(1)} s</td><td class="n"><time datetime="${e(r.at)}">${e(ago(r.at, data.now))}</time></td></tr>`;
  });
  return `<table><thead><tr><th>change</th><th class="n">found</th><th class="n" title="comments posted / threads resolved">new/ fixed</th><th class="n">took</th><th class="n">when</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function queueBlock(data: StatusData): string {
  const d = data.depth;
  const counts = d
    ? `<ul class="counts"><li><b>${d.waiting}</b> waiting</li><li><b>${d.active}</b> active</li><li${d.delayed ? ' class="warn"' : ""}><b>${d.delayed}</b> delayed <span class="muted">(rate limits, retry backoff, change busy)</span></li><li${data.deadLetters.length ? ' class="bad"' : ""}><b>${data.deadLetters.length}</b> dead letter${data.deadLetters.length === 1 ? "" : "s"}</li></ul>`
    : `<p class="bad">The queue (${e(data.queueKind)}) could not be read.</p>`;
  const letters = data.deadLetters.slice(0, DEAD_LETTERS_SHOWN).map(
    (l) =>
      `<li><b>${e(l.job.platform)} ${e(l.job.repository)} ${e(l.job.change)}</b> <span class="muted">${e(l.job.revision.slice(0, 12))} · ${l.attempts} attempt${l.attempts === 1 ? "" : "s"} · <time datetime="${e(l.at)}">${e(ago(l.at, data.now))}</time></span><br><code>${e(l.error.slice(0, 500))}</code></li>`,
  );
  const more = data.deadLetters.length > DEAD_LETTERS_SHOWN ? `<p class="muted">and ${data.deadLetters.length - DEAD_LETTERS_SHOWN} older.</p>` : "";
  return `${counts}${letters.length ? `<h3>Dead letters</h3><ol class="letters">${letters.join("")}</ol>${more}` : ""}`;
}

function rulesTable(data: StatusData): string {
  if (data.rules.length === 0) return `<p class="muted">No findings or feedback in the last ${data.windowDays} days.</p>`;
  const rows = data.rules.map((s) => {
    const flag = flagged(s, data.flagRatio, data.flagMinFindings);
    const reasons = s.reasons.length
      ? `<ul class="reasons">${s.reasons.map((r) => `<li>“${e(r.reason)}” <span class="muted">${e(r.who)}, ${e(ago(r.at, data.now))}</span></li>`).join("")}</ul>`
      : "";
    return `<tr${flag ? ' class="flag"' : ""}><td><b>${e(s.rule)}</b>${flag ? ' <span class="badge">flagged</span>' : ""}${reasons}</td><td class="n">${s.findings}</td><td class="n">${s.useful}</td><td class="n">${s.notUseful}</td><td class="n">${percent(s.ratio)}</td></tr>`;
  });
  return `<table><thead><tr><th>rule</th><th class="n">findings</th><th class="n">useful</th><th class="n">not useful</th><th class="n">ratio</th></tr></thead><tbody>${rows.join("")}</tbody></table>
<p class="muted">Last ${data.windowDays} days. Ratio: findings someone called not useful ÷ findings. Flagged past ${percent(data.flagRatio)} with at least ${data.flagMinFindings} findings; a flagged rule keeps running until its configuration says otherwise.</p>`;
}

function section(s: StatusSection): string {
  const rows = s.rows.map((r) => `<tr${r.warn ? ' class="warn"' : ""}><th>${e(r.label)}</th><td>${e(r.value)}</td></tr>`);
  return `<section><h2>${e(s.title)}</h2>${rows.length ? `<table class="kv"><tbody>${rows.join("")}</tbody></table>` : '<p class="muted">Nothing to show yet.</p>'}</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#5b6570;--line:#d0d7de;--bg:#fff;--warn:#9a6700;--bad:#cf222e;--flag:#fff1e5}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--bg:#0d1117;--warn:#d29922;--bad:#f85149;--flag:#3d2a12}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:960px;padding:12px;font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em;border-bottom:1px solid var(--line)}h3{font-size:1em;margin:.8em 0 .3em}
table{width:100%;border-collapse:collapse;table-layout:auto}
th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--line)}
th{font-weight:600;font-size:.85em;color:var(--muted)}
.kv th{width:38%;color:var(--fg);font-size:1em;font-weight:500}
.n{text-align:right;white-space:nowrap}
.muted{color:var(--muted);font-size:.85em}
.warn td,.warn{color:var(--warn)}.bad{color:var(--bad)}
tr.flag{background:var(--flag)}
.badge{display:inline-block;padding:0 6px;border-radius:8px;background:var(--bad);color:#fff;font-size:.75em;font-weight:600}
ul.counts{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:4px 16px}
ol.letters{padding-left:1.2em}ol.letters li{margin:.4em 0}
code{font-size:.85em;white-space:pre-wrap}
ul.reasons{margin:.2em 0 0;padding-left:1em;font-size:.85em}
a{color:inherit}
@media (max-width:480px){body{font-size:14px;padding:8px}th,td{padding:3px 4px}}
`;

export function renderStatusPage(data: StatusData): string {
  const generated = data.now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="robots" content="noindex">
<title>eventlet-review status</title>
<style>${STYLE}</style></head>
<body>
<header><h1>eventlet-review status</h1><p class="muted">${e(generated)} · refreshes every ${REFRESH_SECONDS} s · queue: ${e(data.queueKind)} · store: ${e(data.storeKind ?? "none")}</p></header>
<section id="queue"><h2>Queue</h2>${queueBlock(data)}</section>
<section id="reviews"><h2>Latest reviews${data.reviews.length ? ` (${data.reviews.length})` : ""}</h2>${reviewsTable(data)}</section>
<section id="rules"><h2>Rules: findings and “not useful”</h2>${rulesTable(data)}</section>
${data.sections.map(section).join("\n")}
</body></html>
`;
}
