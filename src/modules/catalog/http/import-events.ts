import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogDeps } from '../deps.js';
import type { CatalogImport } from '../model.js';

/** Open SSE streams, so that shutting down can end them instead of waiting for clients to leave. */
export class EventStreams {
  private readonly open = new Set<() => void>();
  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }
  endAll(): void {
    for (const end of [...this.open]) end();
  }
}

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Streams an import's progress as Server-Sent Events: `event: progress` with the import each time it changes
 * (read from the store, so it works whichever process runs the import), then `event: end` once it is over.
 */
export async function importEventStream<V>(
  streams: EventStreams,
  deps: CatalogDeps,
  first: CatalogImport,
  req: FastifyRequest,
  reply: FastifyReply,
  view: (i: CatalogImport) => V,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': req.id,
  });
  let seq = 0;
  const send = (event: string, data: unknown) => {
    seq += 1;
    res.write(`id: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  let closed = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    closed = true;
    wake?.();
  };
  const forget = streams.add(stop);
  req.raw.on('close', stop);
  res.on('close', stop);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  try {
    res.write(`retry: 1000\n\n`);
    let last = JSON.stringify(view(first));
    send('progress', view(first));
    let current = first;
    let quietSince = Date.now();
    while (!closed && !FINAL.has(current.status)) {
      await sleep(POLL_MS);
      if (closed) break;
      const next = await deps.catalog.getImport(first.id);
      if (!next) break;
      current = next;
      const body = JSON.stringify(view(next));
      if (body !== last) {
        last = body;
        send('progress', view(next));
        quietSince = Date.now();
      } else if (Date.now() - quietSince > HEARTBEAT_MS) {
        res.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
    }
    if (!closed && FINAL.has(current.status)) send('end', view(current));
  } catch (err) {
    req.log.warn({ err }, 'import event stream ended on an error');
  } finally {
    forget();
    if (!res.writableEnded) res.end();
  }
}
