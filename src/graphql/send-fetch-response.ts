import type { FastifyReply } from 'fastify';

/** Responses that are streams by nature: GraphQL over SSE (subscriptions) and incremental delivery. */
const STREAMED = /^(text\/event-stream|multipart\/mixed)\b/i;

/**
 * Hands a Fetch API Response (what Yoga produces) to Fastify. A single result, nearly every response,
 * is sent whole: Fastify writes it once with its Content-Length, where piping the body as a stream
 * costs a stream per request and several socket writes (about a tenth of a profile read's CPU,
 * measured with `npm run bench`). Event streams and multipart responses are still piped as they come.
 */
export async function sendFetchResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  response.headers.forEach((value, key) => {
    void reply.header(key, value);
  });
  void reply.status(response.status);
  if (STREAMED.test(response.headers.get('content-type') ?? '')) return reply.send(response.body);
  return reply.send(await response.text());
}
