/**
 * The GitHub App's environment: Probot's own variable names, checked up front so a misconfigured app
 * stops with one line naming the variable instead of failing on its first webhook.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";

export interface GithubSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** Probot's API base: `${GHE_PROTOCOL}://${GHE_HOST}/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  webhookPath: string;
}

const TRIGGERS = ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"] as const;
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

/** Undefined when none of the App's variables is set (the service runs without the GitHub App). */
export function githubSettings(env: NodeJS.ProcessEnv): GithubSettings | undefined {
  const set = (name: string) => (env[name] ?? "").trim() !== "";
  if (!TRIGGERS.some(set)) return undefined;

  const appIdText = (env.APP_ID ?? "").trim();
  if (!/^[1-9]\d*$/.test(appIdText)) {
    throw new Error(appIdText ? "APP_ID must be the GitHub App's numeric id" : "APP_ID is not set (the GitHub App's id, from its settings page)");
  }
  if (!set("WEBHOOK_SECRET")) throw new Error("WEBHOOK_SECRET is not set (the webhook secret entered when registering the GitHub App)");

  const keyVar = set("PRIVATE_KEY") ? "PRIVATE_KEY" : "PRIVATE_KEY_PATH";
  let privateKey: string;
  if (set("PRIVATE_KEY")) {
    privateKey = pemFromEnv(env.PRIVATE_KEY!);
  } else if (set("PRIVATE_KEY_PATH")) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH!.trim(), "utf8");
    } catch {
      throw new Error("PRIVATE_KEY_PATH does not name a readable file");
    }
  } else {
    throw new Error("PRIVATE_KEY or PRIVATE_KEY_PATH must be set (the GitHub App's private key, PEM)");
  }
  try {
    createPrivateKey(privateKey);
  } catch {
    throw new Error(`${keyVar} is not a PEM private key`);
  }

  let baseUrl: string | undefined;
  const gheHost = (env.GHE_HOST ?? "").trim();
  const protocol = (env.GHE_PROTOCOL ?? "").trim() || "https";
  if (gheHost) {
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(gheHost)) throw new Error("GHE_HOST must be a host name with an optional port, without http(s)://");
    if (protocol !== "http" && protocol !== "https") throw new Error('GHE_PROTOCOL must be "http" or "https"');
    baseUrl = `${protocol}://${gheHost}/api/v3`;
  }
  const webhookPath = (env.WEBHOOK_PATH ?? "").trim() || DEFAULT_WEBHOOK_PATH;
  if (!webhookPath.startsWith("/")) throw new Error("WEBHOOK_PATH must start with /");

  return { appId: Number(appIdText), privateKey, webhookSecret: env.WEBHOOK_SECRET!, baseUrl, webhookPath };
}

/** PEM text from an environment value: the PEM itself, with literal \\n escapes (one-line .env files), or base64. */
function pemFromEnv(value: string): string {
  const text = value.trim();
  if (text.includes("-----BEGIN")) return `${text.replace(/\\n/g, "\n").trim()}\n`;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return decoded.includes("-----BEGIN") ? `${decoded.trim()}\n` : text;
}
