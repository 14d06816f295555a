import { createHmac, randomBytes } from "node:crypto";
import ssh2 from "ssh2";
import { hasHostEntry, knownHostsVerifier } from "../../../src/platforms/gerrit/known-hosts.js";

const { utils } = ssh2;
const key = utils.generateKeyPairSync("ed25519").public.split(" ").slice(0, 2).join(" ");
const other = utils.generateKeyPairSync("ed25519").public.split(" ").slice(0, 2).join(" ");
const blob = (line: string) => Buffer.from(line.split(" ")[1], "base64");

/** What `ssh-keygen -H` writes: |1|base64(salt)|base64(HMAC-SHA1(salt, name)). */
function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts", () => {
  test("[host]:port entries match only that port; plain names mean port 22", () => {
    const text = `# comment\n\n[review.example.org]:29418 ${key}\nreview.example.org ${other}\n`;
    expect(knownHostsVerifier(text, "review.example.org", 29418)(blob(key))).toBe(true);
    expect(knownHostsVerifier(text, "review.example.org", 29418)(blob(other))).toBe(false);
    expect(knownHostsVerifier(text, "review.example.org", 22)(blob(other))).toBe(true);
    expect(knownHostsVerifier(text, "review.example.org", 2222)(blob(key))).toBe(false);
    expect(hasHostEntry(text, "elsewhere.example.org", 29418)).toBe(false);
  });

  test("hashed entries, comma lists, wildcards and negation", () => {
    expect(knownHostsVerifier(`${hashed("[review.example.org]:29418")} ${key}`, "review.example.org", 29418)(blob(key))).toBe(true);
    expect(knownHostsVerifier(`${hashed("[review.example.org]:29418")} ${key}`, "review.example.org", 29419)(blob(key))).toBe(false);
    expect(knownHostsVerifier(`${hashed("review.example.org")} ${key}`, "review.example.org", 22)(blob(key))).toBe(true);
    expect(knownHostsVerifier(`a.example.org,[review.example.org]:29418 ${key}`, "review.example.org", 29418)(blob(key))).toBe(true);
    expect(knownHostsVerifier(`[*.example.org]:29418 ${key}`, "review.example.org", 29418)(blob(key))).toBe(true);
    expect(knownHostsVerifier(`[*.example.org]:29418,![review.example.org]:29418 ${key}`, "review.example.org", 29418)(blob(key))).toBe(false);
  });

  test("@revoked wins, @cert-authority is not a host key", () => {
    const name = "[review.example.org]:29418";
    expect(knownHostsVerifier(`${name} ${key}\n@revoked * ${key}`, "review.example.org", 29418)(blob(key))).toBe(false);
    expect(knownHostsVerifier(`@cert-authority ${name} ${key}`, "review.example.org", 29418)(blob(key))).toBe(false);
  });
});
