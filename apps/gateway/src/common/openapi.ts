import { applyDecorators } from '@nestjs/common';
import { type ApiBodyOptions, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

type OpenApiSchema = NonNullable<Extract<ApiBodyOptions, { schema: unknown }>['schema']>;

const OPENAPI_INPUT = { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' } as const;

/** The OpenAPI form of a request schema, generated from the same zod schema that validates it. */
export function openApiSchema(schema: z.ZodType): OpenApiSchema {
  return z.toJSONSchema(schema, OPENAPI_INPUT) as OpenApiSchema;
}

/** One OpenAPI query parameter per field of a query schema, generated from the zod schema that validates the query. */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  const { properties = {}, required = [] } = z.toJSONSchema(schema, OPENAPI_INPUT);
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) =>
      ApiQuery({ name, required: required.includes(name), schema: property as OpenApiSchema }),
    ),
  );
}
