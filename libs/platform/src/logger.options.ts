import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { type Logger, pino, stdTimeFunctions } from 'pino';
import type { LogLevel } from '@podsync/domain';
import { QUIET_PATHS } from './quiet-paths';
import { traceLogFields } from './tracing';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The request id (Fastify's genReqId): the caller's `X-Request-Id` when it is sane, else a new
 * one. pino-http reuses it for the request's log lines; the HTTP app echoes it on the response.
 */
export function requestId(req: { headers: IncomingHttpHeaders }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The process's one pino logger: JSON on stdout, readable lines when stdout is a terminal.
 * Everything logs through it or its children, so a level change reaches every component.
 */
export function createRootLogger(level: LogLevel): Logger {
  return pino({
    level,
    // `"level":"info"` and ISO times: the log shape operators of the replaced service grep for.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: stdTimeFunctions.isoTime,
    // trace_id and span_id on every line written inside a span (nothing when tracing is off).
    mixin: traceLogFields,
    transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}

export function loggerOptions(logger: Logger): Params {
  return {
    // nestjs-pino's default route pattern matches nothing under NestJS 12's router; name every path.
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    pinoHttp: {
      logger,
      customProps: () => ({ component: 'http' }),
      autoLogging: { ignore: (req) => QUIET_PATHS.test((req as { originalUrl?: string }).originalUrl ?? req.url ?? '') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
