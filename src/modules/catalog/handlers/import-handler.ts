import type { EventHandler } from '../../jobs/index.js';
import { IMPORT_HANDLER, IMPORT_REQUESTED, type ImportRequested } from '../deps.js';
import { ImportFailure, runImport, type RunImportDeps } from '../import/run-import.js';

/** After this many attempts an unexpected error fails the import instead of leaving it RUNNING. */
const ATTEMPTS_BEFORE_FAILING = 3;

/**
 * Runs a scheduled import. A delivery of an import this process is already running (its job lease expired
 * while it ran) waits for that run instead of starting a second one; after a crash the next delivery
 * reruns the import, which is idempotent.
 */
export function importHandler(deps: RunImportDeps): EventHandler {
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    name: IMPORT_HANDLER,
    on: [IMPORT_REQUESTED],
    async handle(raw, ctx) {
      const { importId } = (raw as ImportRequested).payload;
      const running = inFlight.get(importId);
      if (running) {
        await running.catch(() => undefined);
        return;
      }
      const run = runImport(deps, importId);
      inFlight.set(importId, run);
      try {
        const done = await run;
        ctx.log.info({ importId, status: done?.status, counts: done?.counts }, 'catalog import ended');
      } catch (err) {
        if (ctx.attempt < ATTEMPTS_BEFORE_FAILING) throw err;
        ctx.log.error({ err, importId }, 'catalog import failed for good');
        await deps.catalog
          .updateImport(importId, {
            status: 'FAILED',
            failure: { code: ImportFailure.INTERNAL, message: 'The import failed unexpectedly; try again later' },
            finishedAt: deps.clock.now().toISOString(),
          })
          .catch(() => undefined);
      } finally {
        inFlight.delete(importId);
      }
    },
  };
}
