/**
 * OpenSSH known_hosts matching for the stream-events connection: plain patterns (`host`, `[host]:port`,
 * `*` and `?` wildcards, `!negation`), hashed entries (`|1|salt|HMAC-SHA1(salt, host)`), `@revoked`.
 * `@cert-authority` lines are ignored (ssh2 does not do host certificates).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

interface Entry {
  marker?: string;
  patterns: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    if (fields.length < 3) continue;
    const [patterns, keyType, key] = fields;
    entries.push({ marker, patterns, keyType, key: Buffer.from(key, "base64") });
  }
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split("|");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function entryMatches(entry: Entry, name: string): boolean {
  if (entry.patterns.startsWith("|1|")) return hashedMatch(entry.patterns, name);
  let matched = false;
  for (const pattern of entry.patterns.split(",")) {
    if (pattern.startsWith("!")) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * A host key verifier for ssh2's `hostVerifier`: true only when a non-revoked entry for the host
 * carries exactly this key (the raw SSH public key blob).
 */
export function knownHostsVerifier(text: string, host: string, port: number): (key: Buffer) => boolean {
  const entries = parseKnownHosts(text);
  const name = hostLookupName(host, port);
  return (key) => {
    const same = (e: Entry) => e.key.length === key.length && timingSafeEqual(e.key, key);
    if (entries.some((e) => e.marker === "@revoked" && same(e))) return false;
    return entries.some((e) => e.marker === undefined && entryMatches(e, name) && same(e));
  };
}

/** Whether the file has any plain or hashed entry for the host (used to fail early with a clear error). */
export function hasHostEntry(text: string, host: string, port: number): boolean {
  const name = hostLookupName(host, port);
  return parseKnownHosts(text).some((e) => e.marker === undefined && entryMatches(e, name));
}
