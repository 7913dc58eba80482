import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodPipe } from '@podsync/platform';

const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 visible ASCII characters')
  .optional();

const readHeader = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
});

/** The validated `Idempotency-Key` header, or undefined when absent. */
export const IdempotencyKey = (): ParameterDecorator => readHeader(new ZodPipe(idempotencyKeySchema, 'header'));
