import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { RAW_RESPONSE } from './access.decorators';
import { type Envelope, OkMessage } from './envelope';

/** Wraps what handlers return in the envelope; an undefined result (204) stays bodiless. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const raw = this.reflector.getAllAndOverride<boolean | undefined>(RAW_RESPONSE, [context.getHandler(), context.getClass()]);
    if (raw === true) return next.handle();
    return next.handle().pipe(map((result: unknown) => wrap(result)));
  }
}

function wrap(result: unknown): Envelope | undefined {
  if (result === undefined) return undefined;
  if (result instanceof OkMessage) return { status: 'ok', message: result.message };
  return { status: 'ok', data: result };
}
