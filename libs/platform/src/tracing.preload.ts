/**
 * The tracing entry of every podsync process, loaded before the app with
 * `node --require ./dist/libs/platform/src/tracing.preload.js`: instrumentation must hook `http`
 * before Fastify and the Kubernetes client load it. Without an OTLP endpoint in the environment it
 * does nothing, and the SDK is not even loaded.
 */
import { tracingRequested } from './tracing';

if (tracingRequested(process.env)) {
  // Loaded here and only now: the SDK and its exporters cost start-up time and memory that a
  // process without tracing should not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  startTracing(process.env, process.argv[1]);
}
