import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The gateway's OpenAPI document, read from the controllers' decorators and the zod schemas they name. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('podsync')
      .setDescription('Clients, their algorithms and the pods that run them. Every JSON answer is `{status, message?, data?}`.')
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
}
