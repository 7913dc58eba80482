import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable, isUnstorableText } from '@podsync/db';
import type { Envelope } from './envelope';
import { RequestValidationError } from './zod.pipe';

/** Fastify's own wording for these is vague; say what to do instead. */
const CLEARER_MESSAGES: Partial<Record<number, string>> = {
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'the request body is larger than the 1 MiB limit',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'send the body as application/json',
};

/** Turns every failure into the error envelope; nothing a client sends can produce a 500. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorEnvelopeFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [status, body] = this.describe(error);
    void reply.status(status).send(body);
  }

  private describe(error: unknown): [number, Envelope] {
    if (error instanceof RequestValidationError) {
      return [error.getStatus(), { status: 'error', message: error.message, errors: error.errors }];
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      return [status, { status: 'error', message: CLEARER_MESSAGES[status] ?? httpExceptionMessage(error) }];
    }
    if (isUnstorableText(error)) {
      this.logger.warn(`text the database cannot store: ${String(error)}`);
      return [
        HttpStatus.BAD_REQUEST,
        { status: 'error', message: 'the request holds a character the database cannot store, such as NUL' },
      ];
    }
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(`database unavailable: ${String(error)}`);
      return [HttpStatus.SERVICE_UNAVAILABLE, { status: 'error', message: 'the database is unavailable; retry shortly' }];
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return [HttpStatus.INTERNAL_SERVER_ERROR, { status: 'error', message: 'internal error; see the server log' }];
  }
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return error.message;
}
