/**
 * Gerrit events (stream-events lines and webhooks plugin POSTs share the JSON) → ReviewJobs. Pure: no
 * I/O, so the decisions (which kinds, projects, authors and comments start a review) are tested alone.
 * "Any field may be missing" (Gerrit's docs), so every field is read defensively.
 */
import { z } from "zod";
import type { ReviewJob } from "../adapter.js";
import type { GerritSettings } from "./settings.js";

/**
 * Patch-set kinds that leave the code as it was: no new comments. The label's copyCondition may or may
 * not carry our vote over (a Verified label usually does not copy on a trivial rebase), so the bot
 * checks and votes again when it did not.
 */
export const NO_REVIEW_KINDS = new Set(["TRIVIAL_REBASE", "TRIVIAL_REBASE_WITH_MESSAGE_UPDATE", "NO_CODE_CHANGE", "NO_CHANGE"]);

export interface EventAccount {
  name?: string;
  email?: string;
  username?: string;
}

export interface GerritEvent {
  type: string;
  eventCreatedOn?: number;
  project?: string | { name?: string };
  change?: {
    project?: string;
    branch?: string;
    id?: string;
    number?: number;
    status?: string;
    wip?: boolean;
    private?: boolean;
    url?: string;
  };
  patchSet?: { number?: number; revision?: string; kind?: string; ref?: string };
  author?: EventAccount;
  uploader?: EventAccount;
  changer?: EventAccount;
  comment?: string;
}

/** What a Gerrit job carries through the queue (plain JSON). */
export interface GerritJobPayload {
  project: string;
  branch?: string;
  number: number;
  patchSet: number;
  /** The event that caused the job: patchset-created, rebase, recheck, wip-state-changed... */
  trigger: string;
  /** The patch set's kind, when the event said (TRIVIAL_REBASE and the like make a `rebase` job). */
  kind?: string;
  /** Recheck: who asked, and when (epoch seconds, the comment's time). */
  requester?: EventAccount;
  requestedAt?: number;
  [key: string]: unknown;
}

const account = z.object({ username: z.string().max(256).optional(), email: z.string().max(256).optional(), name: z.string().max(256).optional() });
const payloadSchema = z.looseObject({
  project: z.string().min(1).max(1000),
  branch: z.string().max(1000).optional(),
  number: z.number().int().positive(),
  patchSet: z.number().int().nonnegative(),
  trigger: z.string().max(100),
  kind: z.string().max(100).optional(),
  requester: account.optional(),
  requestedAt: z.number().finite().optional(),
});

/**
 * The payload of a queued Gerrit job, checked (a job may come back from a shared Redis): the shape, and
 * the job's own repository and change naming the same change. Throws a plain Error (a dead letter).
 */
export function gerritJobPayload(job: ReviewJob): GerritJobPayload {
  const parsed = payloadSchema.safeParse(job.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Gerrit job ${job.eventId} has an invalid payload: ${issue.path.join(".") || "payload"} ${issue.message}`);
  }
  const p = parsed.data as GerritJobPayload;
  if (job.repository !== p.project || job.change !== String(p.number)) {
    throw new Error(`Gerrit job ${job.eventId} has an invalid payload: it names ${p.project} ${p.number}, the job ${job.repository} ${job.change}`);
  }
  return p;
}

export type EventDecision = { job: ReviewJob } | { skip: string } | { catchUp: true };

/** Parses one stream line; throws on malformed JSON or a line that is not an event object. */
export function parseEventLine(line: string): GerritEvent {
  const value: unknown = JSON.parse(line);
  if (!value || typeof value !== "object" || typeof (value as { type?: unknown }).type !== "string") {
    throw new Error("not a Gerrit event (no type)");
  }
  return value as GerritEvent;
}

function isBot(account: EventAccount | undefined, settings: Pick<GerritSettings, "username" | "ssh">): boolean {
  const username = account?.username;
  return username !== undefined && (username === settings.username || username === settings.ssh.user);
}

/** Decides what one event means for the bot. */
export function decideEvent(
  event: GerritEvent,
  settings: Pick<GerritSettings, "username" | "ssh" | "recheck">,
  projectAllowed: (project: string) => boolean,
): EventDecision {
  if (event.type === "dropped-output") return { catchUp: true };
  const change = event.change;
  // Webhook payloads: read change.project (the top-level project may be an object there).
  const project = change?.project ?? (typeof event.project === "string" ? event.project : event.project?.name);
  const number = change?.number;
  const patchSet = event.patchSet?.number;
  const created = event.eventCreatedOn ?? Math.floor(Date.now() / 1000);
  if (!project || typeof number !== "number") return { skip: `${event.type}: no change in the event` };
  if (!projectAllowed(project)) return { skip: `project ${project} is not configured (GERRIT_PROJECTS)` };
  if (change?.status && change.status !== "NEW") return { skip: `change ${number} is ${change.status}` };

  const job = (trigger: string, ps: number, recheck = false, extra: Partial<GerritJobPayload> = {}): EventDecision => ({
    job: {
      eventId: `${event.type}:${number}:${ps}:${created}`,
      platform: "gerrit",
      repository: project,
      change: String(number),
      revision: String(ps),
      ...(recheck ? { recheck: true } : {}),
      payload: { project, branch: change?.branch, number, patchSet: ps, trigger, ...extra } satisfies GerritJobPayload,
    },
  });

  switch (event.type) {
    case "patchset-created": {
      if (typeof patchSet !== "number") return { skip: "patchset-created without a patch set number" };
      const kind = event.patchSet?.kind;
      // No code changed: no comments, but the vote may need casting again (see NO_REVIEW_KINDS).
      if (kind && NO_REVIEW_KINDS.has(kind)) return job("rebase", patchSet, false, { kind });
      return job("patchset-created", patchSet);
    }
    case "comment-added": {
      if (isBot(event.author, settings)) return { skip: "comment by the bot itself" };
      const text = event.comment ?? "";
      if (!settings.recheck.test(text)) return { skip: "comment is not a recheck" };
      const requester = event.author ? { username: event.author.username, email: event.author.email, name: event.author.name } : undefined;
      return job("recheck", typeof patchSet === "number" ? patchSet : 0, true, { ...(requester ? { requester } : {}), requestedAt: created });
    }
    case "wip-state-changed":
    case "private-state-changed": {
      // A change that waited while it was WIP or private gets its review when it becomes ready.
      if (change?.wip || change?.private) return { skip: `change ${number} is still work in progress or private` };
      if (typeof patchSet !== "number") return { skip: `${event.type} without a patch set number` };
      return job(event.type, patchSet);
    }
    default:
      return { skip: `event ${event.type} is not reviewed` };
  }
}
