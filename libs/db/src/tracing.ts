import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/*
 * postgres.js has no OpenTelemetry instrumentation (porsager/postgres#461), and
 * drizzle's own tracer is a no-op. The function below wraps the driver's client, where every
 * statement drizzle sends passes, so that each statement is a CLIENT span and each transaction a
 * span around its statements.
 */
const tracer = trace.getTracer('podsync-db');

type AnyFunction = (...args: unknown[]) => unknown;

/** `INSERT outbox`: the statement's operation and the first table it names, as its span is called. */
export function describeStatement(text: string): { operation: string; table: string | undefined } {
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  const table = /\b(?:from|into|update)\s+"?([\w.]+)"?/i.exec(text)?.[1];
  return { operation, table };
}

/**
 * A statement's span, or none outside a trace: the relay polling the outbox or a scrape reading a
 * gauge would otherwise each start a trace of one statement, many times a second.
 */
function startStatementSpan(text: string): Span | undefined {
  if (trace.getSpan(context.active()) === undefined) return undefined;
  const { operation, table } = describeStatement(text);
  return tracer.startSpan(table === undefined ? operation : `${operation} ${table}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': operation,
      // drizzle sends values as parameters: the text holds placeholders, never client data.
      'db.query.text': text,
      ...(table === undefined ? {} : { 'db.collection.name': table }),
    },
  });
}

function endWhenSettled(span: Span | undefined, outcome: PromiseLike<unknown>): void {
  if (span === undefined) return;
  outcome.then(
    () => span.end(),
    (error: unknown) => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
    },
  );
}

/** Runs a transaction inside an active span, so that its statements become its children; outside a trace, as it is. */
function inTransactionSpan<T>(begin: () => Promise<T>): Promise<T> {
  if (trace.getSpan(context.active()) === undefined) return begin();
  return tracer.startActiveSpan(
    'transaction',
    { kind: SpanKind.INTERNAL, attributes: { 'db.system.name': 'postgresql' } },
    (span) => {
      const outcome = begin();
      endWhenSettled(span, outcome);
      return outcome;
    },
  );
}

/**
 * A postgres.js `sql` whose statements are traced. drizzle sends every statement through
 * `unsafe()` and opens transactions with `begin()` and `savepoint()`, whose callbacks get a
 * transaction's own `sql`, wrapped alike.
 */
export function tracePostgresStatements<T extends object>(sql: T): T {
  return new Proxy(sql, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const original = value as AnyFunction;
      if (property === 'unsafe') {
        return (text: string, ...rest: unknown[]) => {
          const span = startStatementSpan(text);
          // postgres.js queries are lazy promises that start on their first `then`, a tick later,
          // so drizzle still sets `.values()` on the query after this has subscribed to it.
          const query = original.call(target, text, ...rest) as PromiseLike<unknown>;
          endWhenSettled(span, query);
          return query;
        };
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const run = args.pop() as AnyFunction;
          return inTransactionSpan(
            () => original.call(target, ...args, (tx: object) => run(tracePostgresStatements(tx))) as Promise<unknown>,
          );
        };
      }
      return value;
    },
  });
}
