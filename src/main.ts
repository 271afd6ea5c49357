import { ConfigError, loadConfig, type Config } from './config/config.js';
import { buildApp } from './app.js';

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

const atelier = await buildApp(config);
const { app } = atelier;
await app.listen({ port: config.port, host: config.host });
app.log.info(`Atelier is ready on ${config.publicUrl} (GraphQL at ${config.publicUrl}/graphql)`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const force = setTimeout(() => {
    app.log.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  atelier.close().then(
    () => {
      app.log.info('stopped cleanly');
      process.exit(0);
    },
    (err: unknown) => {
      app.log.error({ err }, 'error while shutting down');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
