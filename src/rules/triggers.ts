/** Building and matching rule triggers (see Trigger in ./types.ts). */
import type { Config } from "../config/schema.js";
import { codeText } from "../python/code-text.js";
import type { Rule, Trigger, TriggerPattern } from "./types.js";

/** A pattern searched outside comments and string literals. */
export function code(pattern: RegExp): TriggerPattern {
  return { scope: "code", pattern };
}

/** A pattern searched in the whole text. */
export function text(pattern: RegExp): TriggerPattern {
  return { scope: "text", pattern };
}

export function triggersOf(rule: Rule, config: Config): readonly Trigger[] {
  const { triggers } = rule.meta;
  return typeof triggers === "function" ? triggers(config) : triggers;
}

/** One file's text, with its code view made once and only when a code pattern gets that far. */
export class TriggerSubject {
  private code?: string;
  constructor(readonly text: string) {}

  matches(trigger: Trigger): boolean {
    // Blanking only removes matches, so the whole text is the cheap first test of every pattern.
    if (!trigger.every((p) => p.pattern.test(this.text))) return false;
    return trigger.every((p) => p.scope === "text" || p.pattern.test((this.code ??= codeText(this.text))));
  }

  matchesAny(triggers: readonly Trigger[]): boolean {
    return triggers.some((t) => this.matches(t));
  }
}

/** `eventlet` as a word of code: an import of eventlet, or a name bound to it. */
export const EVENTLET = code(/\beventlet\b/);
