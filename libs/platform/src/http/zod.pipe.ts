import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import type { FieldError } from './envelope';

/** A 400 whose envelope lists each invalid field. */
export class RequestValidationError extends BadRequestException {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** Validates one part of a request against a zod schema and hands on the parsed value. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: 'body' | 'query' | 'path' | 'header',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const first = errors[0];
    const summary = first === undefined ? '' : `: ${first.path === '' ? '' : `${first.path}: `}${first.message}`;
    throw new RequestValidationError(`invalid request ${this.part}${summary}`, errors);
  }
}
