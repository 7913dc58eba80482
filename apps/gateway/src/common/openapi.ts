import type { ApiBodyOptions } from '@nestjs/swagger';
import { z } from 'zod';

type OpenApiSchema = NonNullable<Extract<ApiBodyOptions, { schema: unknown }>['schema']>;

/** The OpenAPI form of a request schema, generated from the same zod schema that validates it. */
export function openApiSchema(schema: z.ZodType): OpenApiSchema {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as OpenApiSchema;
}
