import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createRuntime } from './runtime.js';

/** `npm run worker`: the job worker alone, for deployments that run it apart from the HTTP servers. */
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const log = pino({ level: config.logLevel });
const runtime = await createRuntime(config, log);
runtime.worker.start();
log.info({ workerId: runtime.worker.id, handlers: runtime.handlers.map((h) => h.name) }, 'job worker started');

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping the worker: finishing the jobs in hand');
  setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
  runtime.close().then(
    () => {
      log.info('worker stopped cleanly');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
