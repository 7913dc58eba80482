import { LEADER_SUBJECT, NATS_PREFIX_PATTERN, NATS_PREFIX_RULE } from '@podsync/domain';

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
  subjects: ['podsync.ops.>', LEADER_SUBJECT],
  duplicateWindowMs: 2 * MINUTE,
  maxAgeMs: 7 * DAY,
};

export const STREAMS: readonly StreamDefinition[] = [EVENTS_STREAM, OPS_STREAM];

/**
 * Subjects and stream names under an installation's prefix (PODSYNC_NATS_PREFIX), so that two
 * installations, or two tests, share one NATS server without seeing each other's messages:
 * `<prefix>.podsync.ops.create` in the stream `<PREFIX>_PODSYNC_OPS`. JetStream refuses two
 * streams with overlapping subjects, so the prefix must reach both. Without a prefix, subjects and
 * streams are the documented ones.
 */
export class BusPrefix {
  private readonly subjectPrefix: string;
  private readonly streamPrefix: string;

  constructor(readonly prefix: string | undefined) {
    if (prefix !== undefined && !NATS_PREFIX_PATTERN.test(prefix)) {
      throw new Error(`NATS prefix "${prefix}" must be ${NATS_PREFIX_RULE}`);
    }
    this.subjectPrefix = prefix === undefined ? '' : `${prefix}.`;
    this.streamPrefix = prefix === undefined ? '' : `${prefix.toUpperCase()}_`;
  }

  subject(subject: string): string {
    return this.subjectPrefix + subject;
  }

  /** The subject as callers know it, without the prefix. */
  unprefixed(subject: string): string {
    return subject.startsWith(this.subjectPrefix) ? subject.slice(this.subjectPrefix.length) : subject;
  }

  stream(definition: StreamDefinition): StreamDefinition {
    return {
      ...definition,
      name: this.streamPrefix + definition.name,
      subjects: definition.subjects.map((subject) => this.subject(subject)),
    };
  }

  streams(): StreamDefinition[] {
    return STREAMS.map((definition) => this.stream(definition));
  }
}
