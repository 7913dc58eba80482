import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import { logLevelSchema } from '@podsync/domain';
import { Loggers } from '../loggers';
import { ZodPipe } from './zod.pipe';

const headerPipe = new ZodPipe(logLevelSchema, 'header');

/**
 * `X-Log-Level: debug` sets the level of this request's own logger, no other: the pino-http child
 * that nestjs-pino hands to every log call made for the request, and that writes its
 * "request completed" line.
 */
@Injectable()
export class RequestLogLevelInterceptor implements NestInterceptor {
  constructor(
    private readonly pino: PinoLogger,
    private readonly loggers: Loggers,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['x-log-level'];
    if (typeof header === 'string') {
      const level = headerPipe.transform(header);
      const requestLogger = this.pino.logger;
      // Outside a request's context nestjs-pino answers with the root logger: never change that one here.
      if (requestLogger !== this.loggers.root) requestLogger.level = level;
    }
    return next.handle();
  }
}
