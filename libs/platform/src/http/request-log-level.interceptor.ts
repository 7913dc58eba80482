import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import { logLevelSchema } from '@podsync/domain';
import { ZodPipe } from './zod.pipe';

const headerPipe = new ZodPipe(logLevelSchema, 'header');

/**
 * `X-Log-Level: debug` sets the level of this request's own logger (pino-http's per-request
 * child, which nestjs-pino hands to every logger call made for the request), no other.
 */
@Injectable()
export class RequestLogLevelInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-log-level'];
    const requestLogger = (request.raw as { log?: Logger }).log;
    if (typeof header === 'string' && requestLogger !== undefined) requestLogger.level = headerPipe.transform(header);
    return next.handle();
  }
}
