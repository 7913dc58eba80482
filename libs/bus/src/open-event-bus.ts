import type { Logger } from 'pino';
import { EmbeddedEventBus } from './embedded-event-bus';
import type { EventBus } from './event-bus';
import { NatsEventBus } from './nats-event-bus';

export interface EventBusSettings {
  /** NATS server URLs; none means the in-process bus. */
  urls: readonly string[];
  logger: Logger;
  /** The replica id, so the NATS server's monitoring names each connection. */
  connectionName?: string;
  /** PODSYNC_NATS_PREFIX: this installation's subjects and streams on a shared NATS server. */
  prefix?: string;
}

export async function openEventBus(settings: EventBusSettings): Promise<EventBus> {
  if (settings.urls.length === 0) return new EmbeddedEventBus({ logger: settings.logger });
  return NatsEventBus.connect({
    servers: settings.urls,
    logger: settings.logger,
    connectionName: settings.connectionName,
    prefix: settings.prefix,
  });
}
