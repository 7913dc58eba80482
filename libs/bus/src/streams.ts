/** A JetStream stream the bus keeps, with the subjects it stores. */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  /** A message id seen again within this window is acknowledged and dropped. */
  duplicateWindowMs: number;
  /** Older messages are discarded: the streams are an audit trail, not the system of record. */
  maxAgeMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * PODSYNC_EVENTS carries the outbox. Its duplicate window must exceed the outbox relay's
 * longest retry, so that a row published again after a lost acknowledgement is dropped.
 */
export const EVENTS_STREAM: StreamDefinition = {
  name: 'PODSYNC_EVENTS',
  subjects: ['podsync.events.>'],
  duplicateWindowMs: 5 * MINUTE,
  maxAgeMs: 7 * DAY,
};

/** PODSYNC_OPS carries the pod operations and the changes of leader. JetStream's default window. */
export const OPS_STREAM: StreamDefinition = {
  name: 'PODSYNC_OPS',
  subjects: ['podsync.ops.>', 'podsync.leader'],
  duplicateWindowMs: 2 * MINUTE,
  maxAgeMs: 7 * DAY,
};

export const STREAMS: readonly StreamDefinition[] = [EVENTS_STREAM, OPS_STREAM];

const NAMESPACE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Subjects and stream names under a namespace. JetStream refuses two streams with
 * overlapping subjects, so tests that share one server each take a namespace of their own.
 */
export class BusNamespace {
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(readonly namespace: string | undefined) {
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw new Error(`bus namespace "${namespace}" must be 1 to 32 letters, digits, dashes or underscores`);
    }
    this.prefix = namespace === undefined ? '' : `${namespace}.`;
    this.suffix = namespace === undefined ? '' : `_${namespace.toUpperCase()}`;
  }

  subject(subject: string): string {
    return this.prefix + subject;
  }

  /** The subject as callers know it, without the namespace. */
  unprefixed(subject: string): string {
    return subject.startsWith(this.prefix) ? subject.slice(this.prefix.length) : subject;
  }

  stream(definition: StreamDefinition): StreamDefinition {
    return {
      ...definition,
      name: definition.name + this.suffix,
      subjects: definition.subjects.map((subject) => this.subject(subject)),
    };
  }

  streams(): StreamDefinition[] {
    return STREAMS.map((definition) => this.stream(definition));
  }
}
