import { context, propagation } from '@opentelemetry/api';

/** A W3C trace context as it is stored on an outbox row and sent in message headers: `{traceparent, tracestate?}`. */
export type TraceCarrier = Record<string, string>;

/**
 * The active trace context as a carrier, or null outside a trace (and whenever tracing is off):
 * an outbox row keeps it so that the work its event causes joins the request's trace.
 */
export function currentTraceCarrier(): TraceCarrier | null {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : null;
}
