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

/**
 * One file's text, with its code view made once and only when a code pattern gets that far. Rules share
 * patterns (`eventlet`, `monkey_patch`): each is searched once per view.
 */
export class TriggerSubject {
  private code?: string;
  private readonly answers = new Map<string, boolean>();
  constructor(readonly text: string) {}

  private test(pattern: RegExp, view: "code" | "text"): boolean {
    const key = `${view}/${pattern.flags}/${pattern.source}`;
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = pattern.test(view === "text" ? this.text : (this.code ??= codeText(this.text)));
      this.answers.set(key, answer);
    }
    return answer;
  }

  matches(trigger: Trigger): boolean {
    // The whole text is the cheap first test of every pattern, code patterns included.
    if (!trigger.every((p) => this.test(p.pattern, "text"))) return false;
    return trigger.every((p) => p.scope === "text" || this.test(p.pattern, "code"));
  }

  matchesAny(triggers: readonly Trigger[]): boolean {
    return triggers.some((t) => this.matches(t));
  }
}

/**
 * One search for all the triggers at once: the first pattern of each, as one alternation (one for the
 * case-insensitive ones). A file it rejects matches no trigger, since every pattern of a trigger must
 * match the whole text; it is the only test most files get.
 */
export class Prescreen {
  private readonly searches: RegExp[];

  constructor(triggers: readonly Trigger[]) {
    const firsts = triggers.map((t) => t[0]?.pattern).filter((p): p is RegExp => !!p);
    const simple = firsts.every((p) => p.flags === "" || p.flags === "i");
    if (!simple || firsts.length < triggers.length) {
      this.searches = [/[\s\S]/]; // anything non-empty passes; the triggers decide
      return;
    }
    const group = (ps: RegExp[]) => [...new Set(ps.map((p) => `(?:${p.source})`))].join("|");
    const exact = firsts.filter((p) => p.flags === "");
    const folded = firsts.filter((p) => p.flags === "i");
    this.searches = [...(exact.length ? [new RegExp(group(exact))] : []), ...(folded.length ? [new RegExp(group(folded), "i")] : [])];
  }

  /** False when no trigger can match `text`. */
  passes(text: string): boolean {
    return this.searches.some((s) => s.test(text));
  }
}

/** `eventlet` as a word of code: an import of eventlet, or a name bound to it. */
export const EVENTLET = code(/\beventlet\b/);
