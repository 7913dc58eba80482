import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LogLevel } from '@podsync/domain';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request id: the caller's `X-Request-Id` when it is sane, else a new one; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** pino JSON on stdout; readable lines when stdout is a terminal. */
export function loggerOptions(level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      genReqId: requestId,
      customProps: () => ({ component: 'http' }),
      // Health probes and scrapes arrive every few seconds and say nothing.
      autoLogging: { ignore: (req) => /^\/(api\/)?(health|ready)$|^\/metrics$/.test(req.url ?? '') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  };
}
