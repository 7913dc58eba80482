import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { logLevelSchema } from '@podsync/domain';
import { Loggers } from '../loggers';
import { ZodPipe } from './zod.pipe';

const headerPipe = new ZodPipe(logLevelSchema, 'header');

/**
 * `X-Log-Level: debug` sets the level of this request's own logger, no other: the pino-http child
 * that nestjs-pino hands to every log call made for the request, and that writes its
 * "request completed" line.
 *
 * A guard that lets every request through, rather than an interceptor: guards run before the
 * handler just as interceptors do (after AuthGuard, registered before it), and their errors
 * reach the exception filters alike, but each interceptor costs every request an rxjs
 * pipeline and an async resource in NestJS's interceptor chain.
 */
@Injectable()
export class RequestLogLevelGuard implements CanActivate {
  constructor(
    private readonly pino: PinoLogger,
    private readonly loggers: Loggers,
  ) {}

  canActivate(context: ExecutionContext): true {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['x-log-level'];
    if (typeof header === 'string') {
      const level = headerPipe.transform(header);
      const requestLogger = this.pino.logger;
      // Outside a request's context nestjs-pino answers with the root logger: never change that one here.
      if (requestLogger !== this.loggers.root) requestLogger.level = level;
    }
    return true;
  }
}
