import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { idempotencyKeySchema } from '@podsync/domain';
import { ZodPipe } from '@podsync/platform';

const readHeader = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
});

/** The validated `Idempotency-Key` header, or undefined when absent. */
export const IdempotencyKey = (): ParameterDecorator => readHeader(new ZodPipe(idempotencyKeySchema, 'header'));
