import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BusPrefix } from '@podsync/bus';

/** A NATS prefix of one test's own, so its streams overlap no one else's. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export interface StoredMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  /** The W3C trace context the publisher sent along, when it traced the publish. */
  traceparent: string | undefined;
  payload: unknown;
}

async function withConnection<T>(url: string, use: (connection: NatsConnection) => Promise<T>): Promise<T> {
  const connection = await connect({ servers: url, timeout: 5_000 });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** Every message the stream holds, in stream order, read with an ordered consumer. */
export function readStream(url: string, streamName: string): Promise<StoredMessage[]> {
  return withConnection(url, async (connection) => {
    const manager = await jetstreamManager(connection);
    const { state } = await manager.streams.info(streamName);
    const consumer = await jetstream(connection).consumers.get(streamName);
    const stored: StoredMessage[] = [];
    while (stored.length < state.messages) {
      const batch = await consumer.fetch({ max_messages: state.messages - stored.length, expires: 5_000 });
      const before = stored.length;
      for await (const message of batch) {
        stored.push({
          seq: message.seq,
          subject: message.subject,
          msgId: message.headers?.get('Nats-Msg-Id') || undefined,
          traceparent: message.headers?.get('traceparent') || undefined,
          payload: message.json(),
        });
      }
      if (stored.length === before) throw new Error(`read ${before} of the ${state.messages} messages of ${streamName}`);
    }
    return stored;
  });
}

export function streamInfo(url: string, streamName: string): Promise<StreamInfo> {
  return withConnection(url, async (connection) => (await jetstreamManager(connection)).streams.info(streamName));
}

/** Removes the streams a bus created under `prefix`; a missing one is fine. */
export function deletePrefixStreams(url: string, prefix: string): Promise<void> {
  return withConnection(url, async (connection) => {
    const manager = await jetstreamManager(connection);
    for (const stream of new BusPrefix(prefix).streams()) {
      await manager.streams.delete(stream.name).catch(() => false);
    }
  });
}
