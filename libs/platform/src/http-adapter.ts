import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { requestId } from './logger.options';

/** The Fastify adapter of every podsync listener: request ids from `X-Request-Id` or made anew. */
export function createFastifyAdapter(options: { bodyLimit?: number } = {}): FastifyAdapter {
  return new FastifyAdapter({ ...options, genReqId: requestId });
}

/** Returns each request's id in `X-Request-Id`, so a caller can quote it when reporting a problem. */
export function echoRequestId(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.header('X-Request-Id', request.id);
      done();
    });
}
