/**
 * The OpenStack release series a tree belongs to, and what that series' upper-constraints pin.
 * OpenStack projects keep no upper-constraints.txt at their root: tox.ini points TOX_CONSTRAINTS_FILE
 * (or a `-c` deps line) at the series' file, and a stable branch's .gitreview names its branch.
 */
import type { FactSource, TrackedPackage } from "./versions.js";

export interface SeriesPins {
  /** `2025.1`, `zed`, `master`. */
  series: string;
  /** When the pins were read (master moves; stable branches barely do). */
  asOf: string;
  pins: Record<TrackedPackage, string>;
}

/**
 * eventlet, oslo.messaging and oslo.service as pinned by upper-constraints.txt of OpenStack's
 * requirements repository: each maintained branch (stable/…, unmaintained/…) at its newest commit,
 * each closed series at its `-eol` tag, master at the date given. Update when a series is cut.
 */
export const SERIES_PINS: readonly SeriesPins[] = [
  { series: "victoria", asOf: "2025-07-11", pins: { eventlet: "0.26.1", "oslo.messaging": "12.5.2", "oslo.service": "2.4.1" } },
  { series: "wallaby", asOf: "2025-07-11", pins: { eventlet: "0.30.2", "oslo.messaging": "12.7.3", "oslo.service": "2.5.1" } },
  { series: "xena", asOf: "2025-07-11", pins: { eventlet: "0.31.1", "oslo.messaging": "12.9.4", "oslo.service": "2.6.2" } },
  { series: "yoga", asOf: "2026-06-27", pins: { eventlet: "0.33.0", "oslo.messaging": "12.13.3", "oslo.service": "2.8.0" } },
  { series: "zed", asOf: "2026-04-28", pins: { eventlet: "0.33.1", "oslo.messaging": "14.0.3", "oslo.service": "3.0.0" } },
  { series: "2023.1", asOf: "2026-04-28", pins: { eventlet: "0.33.1", "oslo.messaging": "14.2.5", "oslo.service": "3.1.2" } },
  { series: "2023.2", asOf: "2025-04-30", pins: { eventlet: "0.33.3", "oslo.messaging": "14.4.2", "oslo.service": "3.2.1" } },
  { series: "2024.1", asOf: "2026-04-27", pins: { eventlet: "0.35.1", "oslo.messaging": "14.7.2", "oslo.service": "3.4.1" } },
  { series: "2024.2", asOf: "2026-04-28", pins: { eventlet: "0.36.1", "oslo.messaging": "14.9.3", "oslo.service": "3.5.0" } },
  { series: "2025.1", asOf: "2026-08-13", pins: { eventlet: "0.39.0", "oslo.messaging": "16.1.2", "oslo.service": "4.1.2" } },
  { series: "2025.2", asOf: "2026-05-05", pins: { eventlet: "0.40.2", "oslo.messaging": "17.1.0", "oslo.service": "4.3.0" } },
  { series: "2026.1", asOf: "2026-08-12", pins: { eventlet: "0.40.4", "oslo.messaging": "17.3.0", "oslo.service": "4.5.1" } },
  { series: "master", asOf: "2026-08-22", pins: { eventlet: "0.41.2", "oslo.messaging": "18.2.0", "oslo.service": "4.8.0" } },
];

/** Release names of the numbered series, as branches and URLs sometimes spell them. */
const NAMES: Record<string, string> = {
  antelope: "2023.1",
  bobcat: "2023.2",
  caracal: "2024.1",
  dalmatian: "2024.2",
  epoxy: "2025.1",
  flamingo: "2025.2",
  gazpacho: "2026.1",
};

export function seriesPins(series: string): SeriesPins | undefined {
  const key = series.toLowerCase();
  const canonical = NAMES[key] ?? key;
  return SERIES_PINS.find((s) => s.series === canonical);
}

export interface SeriesFact {
  series: string;
  source: FactSource;
}

/** `…/constraints/upper/2025.1`, `…/requirements/raw/branch/stable/zed/upper-constraints.txt`. */
const TOX_CONSTRAINTS = [
  /constraints\/upper\/([A-Za-z0-9.]+)/,
  /requirements\/(?:raw|plain)\/branch\/(?:(?:stable|unmaintained)\/)?([A-Za-z0-9.]+)\/upper-constraints\.txt/,
];
const GITREVIEW_BRANCH = /^\s*defaultbranch\s*=\s*(?:stable|unmaintained)\/([A-Za-z0-9.]+)\s*$/;

function firstMatch(path: string, text: string, patterns: readonly RegExp[]): SeriesFact | undefined {
  const lines = text.split(/\r?\n|\r/);
  for (const [index, line] of lines.entries()) {
    if (/^\s*[#;]/.test(line)) continue;
    for (const pattern of patterns) {
      const match = pattern.exec(line);
      if (match && seriesPins(match[1])) return { series: seriesPins(match[1])!.series, source: { path, line: index + 1 } };
    }
  }
  return undefined;
}

/** The files readSeries reads. */
export const SERIES_FILES = ["tox.ini", ".gitreview"] as const;

/** The series tox.ini's constraints URL names, else the stable branch .gitreview names. */
export async function readSeries(read: (path: string) => Promise<string | undefined>): Promise<SeriesFact | undefined> {
  const tox = await read("tox.ini");
  const fromTox = tox === undefined ? undefined : firstMatch("tox.ini", tox, TOX_CONSTRAINTS);
  if (fromTox) return fromTox;
  const gitreview = await read(".gitreview");
  return gitreview === undefined ? undefined : firstMatch(".gitreview", gitreview, [GITREVIEW_BRANCH]);
}
