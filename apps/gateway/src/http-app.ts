import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { createFastifyAdapter, echoRequestId, MetricsRegistry, nameServerSpansByRoute } from '@podsync/platform';
import { serveDashboard } from './dashboard/serve-dashboard';
import { buildOpenApiDocument } from './openapi/openapi-document';

/** Largest request body the API reads; bigger ones get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Builds the Fastify application that serves the REST API for `rootModule`, which must
 * import PlatformModule and GatewayModule: body limit, request metrics, docs, logger, the dashboard at `/`.
 */
export async function createHttpApp(rootModule: object): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    createFastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  // process.exit rather than re-raising the signal, so pino flushes and the exit code says "stopped cleanly".
  app.enableShutdownHooks([], { useProcessExit: true });

  const metrics = app.get(MetricsRegistry);
  echoRequestId(app);
  nameServerSpansByRoute(app);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.httpRequestDuration.observe(
        { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });

  SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app));
  serveDashboard(app);
  return app;
}
