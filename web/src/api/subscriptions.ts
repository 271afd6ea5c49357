import { createClient, type Client } from 'graphql-ws';
import { accessToken } from './client';

let client: Client | null = null;

/** One WebSocket for every subscription of the page, authenticated with a fresh access token on each (re)connect. */
function shared(): Client {
  client ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: async () => {
      const token = await accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
  return client;
}

/** Calls `onData` for every event; returns the function that stops listening. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError?: (err: unknown) => void,
): () => void {
  return shared().subscribe<T>(
    { query, variables },
    {
      next: (msg) => {
        if (msg.data) onData(msg.data);
      },
      error: (err) => onError?.(err),
      complete: () => undefined,
    },
  );
}
