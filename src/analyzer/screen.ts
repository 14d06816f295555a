/**
 * The analysis's first step, which needs nothing but one file's bytes and the config: decode them, and
 * find the enabled rules whose triggers match the text. Most files stop here; the rest go on to the
 * rules' gates and the parse (Analyzer.analyzeScreened). Pure, so a worker thread can run it
 * (src/platforms/local/screen-worker.ts) while the main thread parses.
 */
import { Buffer, isAscii } from "node:buffer";
import type { Config } from "../config/schema.js";
import { ALL_RULES } from "../rules/index.js";
import { Prescreen, triggersOf, TriggerSubject } from "../rules/triggers.js";
import type { Rule, Trigger } from "../rules/types.js";
import { decodeSource } from "../python/source.js";

export type Screened =
  /** Not analyzable (binary, over max_file_bytes): the notice says why. */
  | { kind: "skipped"; reason: string }
  /** No enabled rule's trigger matches: nothing can fire, and the file is not parsed. */
  | { kind: "clean" }
  /** The text, and the ids of the rules one of whose triggers matches it, in the order of `rules`. */
  | { kind: "candidate"; text: string; rules: string[] };

export class Screen {
  private readonly triggers: (readonly Trigger[])[];
  private readonly prescreen: Prescreen;

  /** `rules`: the enabled rules, in the analyzer's order. */
  constructor(
    private readonly config: Config,
    private readonly rules: readonly Rule[],
  ) {
    this.triggers = rules.map((rule) => triggersOf(rule, config));
    this.prescreen = new Prescreen(this.triggers.flat());
  }

  /** For a worker thread, which gets the config and the enabled rules' ids. */
  static of(config: Config, ids: readonly string[]): Screen {
    return new Screen(
      config,
      ids.map((id) => {
        const rule = ALL_RULES.find((r) => r.meta.id === id);
        if (!rule) throw new Error(`unknown rule ${id}`);
        return rule;
      }),
    );
  }

  bytes(bytes: Uint8Array): Screened {
    const maxBytes = this.config.max_file_bytes;
    // Most Python files are ASCII: read as latin-1 they are their own text, with no decoding (a NUL
    // still makes a binary file, with its notice, in decodeSource).
    if (bytes.length <= maxBytes && isAscii(bytes) && !bytes.subarray(0, 8192).includes(0)) {
      return this.text(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"));
    }
    const source = decodeSource(bytes, maxBytes);
    return source.kind === "skipped" ? source : this.text(source.text);
  }

  text(text: string): Screened {
    if (!this.prescreen.passes(text)) return { kind: "clean" };
    const subject = new TriggerSubject(text);
    const rules = this.rules.filter((_, i) => subject.matchesAny(this.triggers[i])).map((rule) => rule.meta.id);
    return rules.length ? { kind: "candidate", text, rules } : { kind: "clean" };
  }
}
