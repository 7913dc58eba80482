import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EmbeddedEventBus } from './embedded-event-bus';
import { openEventBus } from './open-event-bus';

describe(openEventBus.name, () => {
  it('opens the in-process bus when no NATS URL is set', async () => {
    const bus = await openEventBus({ urls: [], logger: pino({ level: 'silent' }) });

    expect(bus).toBeInstanceOf(EmbeddedEventBus);
    await bus.close();
  });
});
