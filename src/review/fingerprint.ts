/**
 * A finding's identity across pushes: rule, path and the text of its line (not the line number, which
 * moves when code above it changes), plus an occurrence count for identical lines. Platforms store it
 * in their comments so a push never posts the same comment twice.
 */
import { createHash } from "node:crypto";
import type { Finding } from "../model/finding.js";

export function fingerprints(findings: readonly Finding[], lineText: (f: Finding) => string): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = `${f.rule}\0${f.path}\0${lineText(f).trim()}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return createHash("sha256").update(`${base}\0${n}`).digest("hex").slice(0, 16);
  });
}

const MARKER = /<!-- eventlet-review:([0-9a-f]{16}) -->/;

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- eventlet-review:${fingerprint} -->`;
}

export function readFingerprintMarker(body: string): string | undefined {
  return MARKER.exec(body)?.[1];
}
