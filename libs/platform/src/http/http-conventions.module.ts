import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { RequestLogLevelGuard } from './request-log-level.guard';

/**
 * What every podsync HTTP listener does alike: bearer-token roles, the JSON envelope, errors as
 * envelopes (never a 500 for bad input), and `X-Log-Level` for one request.
 */
@Module({
  providers: [
    // Guards run in this order: a request without a valid token is refused before its header is read.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RequestLogLevelGuard },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
  ],
})
export class HttpConventionsModule {}
