import type { Client } from 'graphql-ws';

export interface GqlResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface Subscription {
  /** The next result, or a rejection after `timeoutMs` or when the subscription fails. */
  next(timeoutMs?: number): Promise<GqlResult>;
  /** Results received and not yet taken with `next`. */
  pending(): GqlResult[];
  stop(): void;
}

const connections = new WeakMap<Client, Promise<void>>();

/** Call right after creating a client: remembers when its socket is up (or gave up), for `subscribe`. */
export function trackConnection(client: Client): Client {
  connections.set(
    client,
    new Promise<void>((resolve) => {
      client.on('connected', () => resolve());
      client.on('closed', () => resolve());
    }),
  );
  return client;
}

/** Subscribes and buffers results so tests can await them in order. */
export async function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Subscription> {
  const buffer: GqlResult[] = [];
  const waiting: { resolve: (v: GqlResult) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const asError = (e: unknown) =>
    e instanceof Error ? e : new Error(Array.isArray(e) ? JSON.stringify(e) : `closed with ${(e as { code?: number }).code}`);
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        const w = waiting.shift();
        if (w) w.resolve(value as GqlResult);
        else buffer.push(value as GqlResult);
      },
      error: (err) => {
        failure = asError(err);
        for (const w of waiting.splice(0)) w.reject(failure);
      },
      complete: () => undefined,
    },
  );
  // graphql-ws has no per-subscription acknowledgement: wait for the socket, then give the server a moment.
  const connected = connections.get(client);
  if (!connected) throw new Error('create the client with trackConnection()');
  await connected;
  await new Promise((r) => setTimeout(r, 150));
  return {
    pending: () => buffer,
    stop,
    next(timeoutMs = 5_000) {
      const ready = buffer.shift();
      if (ready) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return new Promise<GqlResult>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
  };
}
