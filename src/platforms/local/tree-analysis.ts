/**
 * The CLI's analysis of a whole tree: InProcessAnalysis, with the files read and screened on a second
 * thread (./screen-thread.ts) once the tree turns out larger than a change, so that this thread's time
 * goes to the gates and the parse of the few files a rule can fire on.
 */
import type { FileResult } from "../../analyzer/analyze.js";
import type { ProjectFiles } from "../../python/project-files.js";
import { InProcessAnalysis, internalError, type AnalysisSetup } from "../../review/analysis.js";
import { screenFile, type ScreenResult } from "./screen-file.js";
import { ScreenThread } from "./screen-thread.js";

/** Files read on this thread before a screening thread starts: a small tree never pays for one. */
export const SCREEN_THREAD_AFTER = 64;

/**
 * Files in analysis at once: enough to keep the screening thread busy while this one parses a large
 * file (at 256, both threads waited on each other for a sixth of a cold run).
 */
const WINDOW = 1024;

export class TreeAnalysis extends InProcessAnalysis {
  readonly window = WINDOW;
  private files = 0;
  private thread?: ScreenThread;
  /** Files the screening thread read, screened and hashed. */
  screenedElsewhere = 0;

  constructor(
    private readonly setup: AnalysisSetup,
    project: ProjectFiles,
    /** Files read here before the screening thread starts. */
    private readonly threadAfter = SCREEN_THREAD_AFTER,
  ) {
    super(setup, project);
  }

  private startThread(): ScreenThread {
    this.thread ??= new ScreenThread({ config: this.setup.config, rules: this.analyzer.screen.rules });
    return this.thread;
  }

  /** Starts the screening thread now and waits (at most `ms`) for it to load: for tests of short trees. */
  threadLoadedWithin(ms: number): Promise<boolean> {
    return this.startThread().loadedWithin(ms);
  }

  /** The result carries the bytes' hash and stamp, for the results cache. */
  async analyzeLocal(path: string, file: string): Promise<FileResult | { unread: string }> {
    let screened: ScreenResult;
    const thread = ++this.files > this.threadAfter ? this.startThread() : undefined;
    // Until the thread has loaded its modules, this one reads.
    if (thread?.ready) {
      this.screenedElsewhere++;
      screened = await thread.screen(file);
    } else screened = screenFile(this.analyzer.screen, file, this.setup.config.max_file_bytes);
    if ("unread" in screened) return screened;
    if ("error" in screened) return internalError(path, new Error(screened.error));
    const result = await this.analyzer.analyzeScreened(path, screened.screened).catch((error: unknown) => internalError(path, error));
    return { ...result, hash: screened.hash, ...(screened.stamp ? { stamp: screened.stamp } : {}) };
  }

  async close(): Promise<void> {
    await this.thread?.close();
  }
}
