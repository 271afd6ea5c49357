import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';

/**
 * Prometheus metrics per GraphQL operation: how many (`graphql_envelop_request`), how long
 * (`graphql_envelop_request_duration`) and how many errors (`graphql_envelop_error_result`), labelled
 * by operation name and type. HTTP-level counts and latency come from `src/http/metrics.ts`.
 *
 * The plugin enables far more by default, which cost about a seventh of a profile read's CPU
 * (measured with `npm run bench`, see docs/decisions/006-graphql-server-performance.md):
 * - `graphql_envelop_deprecated_field` walks every document with a TypeInfo on every request,
 *   and our schema has no deprecated field to find;
 * - `graphql_envelop_request_time_summary` updates a quantile sketch per request, repeating what
 *   the duration histogram says (and summaries cannot be aggregated across instances);
 * - `graphql_envelop_phase_*` add four more histogram observations per request, for parse and
 *   validate phases that Yoga's caches make nearly free;
 * - `graphql_yoga_http_duration` repeats Fastify's `http_request_duration_seconds`, and labels
 *   by full URL, query string included: unbounded label values for GET requests.
 */
export function useGraphQLMetrics(registry: Registry) {
  return usePrometheus({
    registry,
    endpoint: false, // served by Fastify's /metrics with the HTTP and process metrics
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_envelop_schema_change: true, // counted once per schema, never per request
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_execute_resolver: false,
      graphql_yoga_http_duration: false,
    },
  });
}
