/**
 * `npm start`: settings from the environment, then the service until SIGTERM/SIGINT. A configuration
 * problem prints one line on stderr and exits 1.
 */
import { Scrubber, createLogger } from "./logger.js";
import { startService, type RunningService } from "./service.js";
import { SettingsError, loadSettings } from "./settings.js";

const env = process.env;
const scrubber = Scrubber.fromEnv(env);

function fail(message: string): never {
  process.stderr.write(`eventlet-review: ${scrubber.string(message)}\n`);
  process.exit(1);
}

let settings;
try {
  settings = loadSettings(env);
} catch (err) {
  if (err instanceof SettingsError) fail(err.message);
  throw err;
}

const logger = createLogger({ level: settings.LOG_LEVEL, env });
process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled promise rejection"));

let service: RunningService | undefined;
let signals = 0;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (++signals > 1) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    // Still setting up (a platform's first call unanswered): nothing runs yet, nothing to finish.
    if (!service) {
      logger.info({ signal }, "signal while starting: exiting");
      process.exit(0);
    }
    void service.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

try {
  service = await startService({ settings, env, logger });
} catch (err) {
  if (err instanceof SettingsError) fail(err.message);
  if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`PORT ${settings.PORT} is already in use`);
  throw err;
}

const running = service;
running.started.catch((err: unknown) => {
  logger.error({ err }, "could not start the queue or a platform");
  void running.shutdown("start failed").finally(() => process.exit(1));
});
