import type { PodOperationKind } from '../plan';

/** The outbox's subjects: each write of the gateway announces itself on one of them. */
export const EVENT_SUBJECTS = {
  clientCreated: 'podsync.events.client.created',
  clientUpdated: 'podsync.events.client.updated',
  clientDeleted: 'podsync.events.client.deleted',
  statusUpdated: 'podsync.events.status.updated',
} as const;
export type EventSubject = (typeof EVENT_SUBJECTS)[keyof typeof EVENT_SUBJECTS];

/** One subject per pod operation kind, so an auditor can follow deletions alone. */
export const OPS_SUBJECTS = {
  create: 'podsync.ops.create',
  delete: 'podsync.ops.delete',
  restart: 'podsync.ops.restart',
} as const satisfies Record<PodOperationKind, string>;

/** Announces every change of leader. */
export const LEADER_SUBJECT = 'podsync.leader';

/** A managed pod's phase or readiness changed: stored in PODSYNC_EVENTS. */
export const POD_STATUS_SUBJECT = 'podsync.events.pod.status';

/** The leader finished a sync round: stored in PODSYNC_EVENTS. */
export const ROUND_FINISHED_SUBJECT = 'podsync.events.round.finished';

/**
 * What PODSYNC_NATS_PREFIX may be: one subject token, lower case so that the upper-cased stream
 * names stay as distinct as the prefixes (`a` and `A` would otherwise share a stream).
 */
export const NATS_PREFIX_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const NATS_PREFIX_RULE = '1 to 32 lower-case letters, digits, dashes or underscores, starting with a letter or digit';
