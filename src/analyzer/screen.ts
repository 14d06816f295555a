/**
 * The analysis's first step, which needs nothing but one file's bytes and the config: decode them, and
 * find the enabled rules whose triggers match the text. Most files stop here; the rest go on to the
 * rules' gates and the parse (Analyzer.analyzeScreened). Pure, so a worker thread can run it
 * (src/platforms/local/screen-worker.ts) while the main thread parses.
 */
import { Buffer, isAscii } from "node:buffer";
import type { Config } from "../config/schema.js";
import { Prescreen, TriggerSubject } from "../rules/triggers.js";
import type { Trigger } from "../rules/types.js";
import { decodeSource } from "../python/source.js";

export type Screened =
  /** Not analyzable (binary, over max_file_bytes): the notice says why. */
  | { kind: "skipped"; reason: string }
  /** No enabled rule's trigger matches: nothing can fire, and the file is not parsed. */
  | { kind: "clean" }
  /** The text, and the ids of the rules one of whose triggers matches it, in the order of `rules`. */
  | { kind: "candidate"; text: string; rules: string[] };

/**
 * An enabled rule as the screen sees it: its id and its triggers under the config. Plain data (a
 * RegExp survives structured cloning), so a worker thread gets it without loading the rules.
 */
export interface ScreenedRule {
  id: string;
  triggers: readonly Trigger[];
}

export class Screen {
  private readonly prescreen: Prescreen;

  /** `rules`: the enabled rules, in the analyzer's order. */
  constructor(
    private readonly config: Config,
    readonly rules: readonly ScreenedRule[],
  ) {
    this.prescreen = new Prescreen(rules.flatMap((rule) => rule.triggers));
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
    const rules = this.rules.filter((rule) => subject.matchesAny(rule.triggers)).map((rule) => rule.id);
    return rules.length ? { kind: "candidate", text, rules } : { kind: "clean" };
  }
}
