/** A Logger that keeps its lines, for asserting what the service logs. */
import type { Logger } from "../../src/platforms/adapter.js";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown>;
}

export class CaptureLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  private write(level: LogLine["level"], obj: object | string, msg?: string): void {
    if (typeof obj === "string") this.lines.push({ level, msg: obj, fields: { ...this.bindings } });
    else this.lines.push({ level, msg: msg ?? "", fields: { ...this.bindings, ...(obj as Record<string, unknown>) } });
  }

  debug(obj: object | string, msg?: string): void {
    this.write("debug", obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.write("info", obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.write("warn", obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.write("error", obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new CaptureLogger(this.lines, { ...this.bindings, ...bindings });
  }
}
