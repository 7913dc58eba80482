import { applyDecorators } from '@nestjs/common';
import { type ApiBodyOptions, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

type OpenApiSchema = NonNullable<Extract<ApiBodyOptions, { schema: unknown }>['schema']>;

/** The OpenAPI form of a request schema, generated from the same zod schema that validates it. */
export function openApiSchema(schema: z.ZodType): OpenApiSchema {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as OpenApiSchema;
}

/**
 * Documents each parameter of a query-string schema, generated from the zod object that
 * validates it, so that the typed client knows the parameters it may send.
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  const { properties = {}, required = [] } = openApiSchema(schema) as {
    properties?: Record<string, OpenApiSchema>;
    required?: string[];
  };
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) =>
      ApiQuery({ name, required: required.includes(name), schema: property }),
    ),
  );
}
