import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenSearchPeer {
  url: string;
  /** Documents indexed and not deleted since, by id. */
  docs: Map<string, Record<string, unknown>>;
  /** Ids deleted and not indexed since. */
  deleted: Set<string>;
  stop(): Promise<void>;
}

/**
 * An HTTP peer that accepts what the OpenSearch adapter writes and records it: every request succeeds, `_bulk`
 * actions are applied to `docs`/`deleted`. No search: it checks what a server sends, not how OpenSearch ranks (no
 * cluster can be started from this repository's packages; search-index.opensearch.test.ts runs on a real one).
 */
export async function startOpenSearchPeer(): Promise<OpenSearchPeer> {
  const docs = new Map<string, Record<string, unknown>>();
  const deleted = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      let answer: unknown = { acknowledged: true };
      if (route === 'POST /_bulk') {
        const lines = body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, { _id: string }>);
        const items: unknown[] = [];
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i]!;
          if (line.index) {
            docs.set(line.index._id, lines[++i] as unknown as Record<string, unknown>);
            deleted.delete(line.index._id);
            items.push({ index: { status: 200 } });
          } else if (line.delete) {
            docs.delete(line.delete._id);
            deleted.add(line.delete._id);
            items.push({ delete: { status: 200 } });
          }
        }
        answer = { errors: false, items };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    docs,
    deleted,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
