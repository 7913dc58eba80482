import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { RequestLogLevelInterceptor } from './request-log-level.interceptor';

/**
 * What every podsync HTTP listener does alike: bearer-token roles, the JSON envelope, errors as
 * envelopes (never a 500 for bad input), and `X-Log-Level` for one request.
 */
@Module({
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: RequestLogLevelInterceptor },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
  ],
})
export class HttpConventionsModule {}
