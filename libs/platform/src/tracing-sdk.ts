import { basename, dirname } from 'node:path';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { QUIET_PATHS } from './quiet-paths';
import { tracingStartedWith } from './tracing';

/**
 * Starts the OpenTelemetry SDK for traces alone, configured by the standard `OTEL_*` variables
 * (endpoint, `http/protobuf` or `http/json`, service name, sampler, batch delays). Metrics stay
 * with Prometheus and logs with pino, so their OTLP exporters are left off.
 */
export function startTracing(env: NodeJS.ProcessEnv, entryScript: string | undefined): void {
  const sdk = new NodeSDK({
    serviceName: namedByEnvironment(env) ? undefined : defaultServiceName(entryScript),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would drown the traces worth reading.
        ignoreIncomingRequestHook: (request) => QUIET_PATHS.test(request.url ?? ''),
      }),
      // The Kubernetes client (2.x) sends its requests through undici, not node:http.
      new UndiciInstrumentation(),
    ],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  tracingStartedWith(() => sdk.shutdown());
}

function namedByEnvironment(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
}

/** `podsync-gateway`, `podsync-reconciler`, `podsync-standalone`: the app folder of the entry script. */
function defaultServiceName(entryScript: string | undefined): string {
  if (entryScript === undefined) return 'podsync';
  // dist/apps/<app>/src/main.js, dist/libs/platform/src/migrate.main.js
  const app = basename(dirname(dirname(entryScript)));
  return app === 'platform' || app === '' ? 'podsync' : `podsync-${app}`;
}
