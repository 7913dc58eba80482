import { EVENT_SUBJECTS, type EventSubject } from '@podsync/db';

export { EVENT_SUBJECTS, type EventSubject };

export const OPERATION_KINDS = ['create', 'delete', 'restart'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** One subject per pod operation kind, so an auditor can follow deletions alone. */
export const OPS_SUBJECTS = {
  create: 'podsync.ops.create',
  delete: 'podsync.ops.delete',
  restart: 'podsync.ops.restart',
} as const satisfies Record<OperationKind, string>;

/** Announces every change of leader. */
export const LEADER_SUBJECT = 'podsync.leader';

/** A managed pod's health changed (phase, ready, restarts, reason): stored in PODSYNC_EVENTS. */
export const POD_STATUS_SUBJECT = 'podsync.events.pod.status';

/** The leader finished a sync round: stored in PODSYNC_EVENTS. */
export const ROUND_FINISHED_SUBJECT = 'podsync.events.round.finished';
