import { applyDecorators } from '@nestjs/common';
import { type ApiBodyOptions, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

type OpenApiSchema = NonNullable<Extract<ApiBodyOptions, { schema: unknown }>['schema']>;

/** The OpenAPI form of a request schema, generated from the same zod schema that validates it. */
export function openApiSchema(schema: z.ZodType): OpenApiSchema {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as OpenApiSchema;
}

/**
 * Documents each parameter of a query schema (its name, whether it is required, its form),
 * generated from the zod schema that validates the query, so that the typed API client
 * can send them.
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  const document = openApiSchema(schema) as { properties?: Record<string, OpenApiSchema>; required?: string[] };
  const required = new Set(document.required ?? []);
  return applyDecorators(
    ...Object.entries(document.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property }),
    ),
  );
}
