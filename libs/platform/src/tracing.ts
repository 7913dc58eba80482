import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TraceCarrier } from '@podsync/domain';

/**
 * podsync's own spans. Until the tracing entry (`tracing.preload`) has started the SDK, the
 * OpenTelemetry API hands out a tracer that records nothing, so every span below costs nothing.
 */
const tracer = trace.getTracer('podsync');

/** Ends the SDK, sending what it still buffers; set by the tracing entry when it started one. */
let shutdownSdk: (() => Promise<void>) | undefined;

/** Called by the tracing entry once the SDK runs, with the function that stops it. */
export function tracingStartedWith(shutdown: () => Promise<void>): void {
  shutdownSdk = shutdown;
}

/** Whether this process exports traces: the tracing entry found an OTLP endpoint and started the SDK. */
export function tracingStarted(): boolean {
  return shutdownSdk !== undefined;
}

/** Sends the spans still buffered and stops the SDK; the processes call it last while they shut down. */
export async function stopTracing(): Promise<void> {
  const shutdown = shutdownSdk;
  shutdownSdk = undefined;
  await shutdown?.();
}

/**
 * Runs `run` inside a new active span, which records a failure as an exception and an error
 * status. `parent` defaults to the active context; pass ROOT_CONTEXT to start a trace.
 */
export function inSpan<T>(name: string, options: SpanOptions, run: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  return tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      return await run(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The span a stored or received trace context names, when it names a valid one. */
export function spanContextOf(carrier: TraceCarrier | null | undefined): SpanContext | undefined {
  if (carrier === null || carrier === undefined) return undefined;
  return trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
}

/**
 * `trace_id` and `span_id` of the span a log line is written in, for a pino `mixin`: with them an
 * operator goes from a log line to its trace and back. Nothing outside a span.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags.toString(16).padStart(2, '0') };
}

/**
 * Names each HTTP server span after its route (`PUT /api/v1/status/:id`) instead of the method
 * alone, and sets `http.route`: the span is the active one when Fastify has matched the route.
 */
export function nameServerSpansByRoute(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) => {
      const span = trace.getActiveSpan();
      const route = request.routeOptions.url;
      if (span !== undefined && route !== undefined) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      done();
    });
}

/**
 * Whether the environment asks for traces: an OTLP endpoint is set (the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, or the traces one) and the SDK is not switched off. Without an
 * endpoint the SDK would send to localhost:4318 by default; podsync sends nothing instead.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return false;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none';
}
