import http from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Buffer;
}

export interface RecordingProxy {
  /** Point the client here instead of at the target. */
  endpoint: string;
  /** Every request passed on so far, body included, in arrival order. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * An HTTP pass-through in front of a peer that keeps what each request carried. For peers that
 * do not keep everything they were sent (aws-ses-v2-local drops the headers of a raw message):
 * the test reads the request as the peer received it, and the peer still does all the answering.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const targetUrl = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', body });
      const upstream = http.request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: targetUrl.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502).end(String(err));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
