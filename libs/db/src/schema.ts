import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type { EventSubject, OperationResult, PodOperationKind, PodPhase, RestartReason, TraceCarrier } from '@podsync/domain';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const clients = pgTable('clients', {
  // Ids travel as JSON numbers; the API refuses any above 2^53 - 1, so mode 'number' is exact.
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  name: varchar('name', { length: 50 }).notNull(),
  version: integer('version').notNull(),
  image: varchar('image', { length: 255 }).notNull(),
  cpu: varchar('cpu', { length: 32 }).notNull(),
  mem: varchar('mem', { length: 32 }).notNull(),
  priority: doublePrecision('priority').notNull().default(0),
  needRestart: boolean('need_restart').notNull().default(false),
  /**
   * How many times need_restart was set to true; the clients_count_restart_requests trigger
   * counts every UPDATE that sets it, also one that finds it already set. The reconciler clears
   * need_restart only while this still holds the value it read, so a restart asked for during
   * a round survives the round's clear.
   */
  restartRequests: integer('restart_requests').notNull().default(0),
  spawnedAt: timestamptz('spawned_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});
export type ClientRow = typeof clients.$inferSelect;
export type NewClientRow = typeof clients.$inferInsert;

/** One row per client and algorithm that was ever switched; a missing row means off. */
export const clientAlgorithms = pgTable(
  'client_algorithms',
  {
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (table) => [
    // Also serves the reconciler's desired-state read: a batch of clients joined to their flags.
    primaryKey({ columns: [table.clientId, table.algorithm], name: 'client_algorithms_pkey' }),
    foreignKey({ columns: [table.clientId], foreignColumns: [clients.id], name: 'client_algorithms_client_id_fkey' }).onDelete(
      'cascade',
    ),
  ],
);
export type ClientAlgorithmRow = typeof clientAlgorithms.$inferSelect;

/** Events written in the same transaction as the change they describe; the relay publishes and deletes them. */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** The JetStream message id (a UUIDv7 made by appendOutbox): unlike `id`, unique beyond this database. */
  eventId: uuid('event_id').notNull(),
  subject: varchar('subject', { length: 100 }).$type<EventSubject>().notNull(),
  clientId: bigint('client_id', { mode: 'number' }).notNull(),
  payload: jsonb('payload').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  /** The W3C trace context of the write, `{traceparent, tracestate?}`; null when tracing is off. */
  traceContext: jsonb('trace_context').$type<TraceCarrier>(),
});
export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

/** Audit history of pod operations, written by the leader. */
export const operations = pgTable(
  'operations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The JetStream message id (a UUIDv7 made by insertOperation): unlike `id`, unique beyond this database. */
    eventId: uuid('event_id').notNull(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    round: bigint('round', { mode: 'number' }),
    replicaId: varchar('replica_id', { length: 100 }).notNull(),
    kind: varchar('kind', { length: 16 }).$type<PodOperationKind>().notNull(),
    pod: varchar('pod', { length: 63 }).notNull(),
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    result: varchar('result', { length: 16 }).$type<OperationResult>().notNull(),
    /** Why a restart recreated the pod (spec-changed, restart-requested, pod-failed); null for creates and deletes. */
    reason: varchar('reason', { length: 32 }).$type<RestartReason>(),
    error: text('error'),
    startedAt: timestamptz('started_at').notNull(),
    finishedAt: timestamptz('finished_at').notNull(),
  },
  (table) => [
    // GET /api/v1/operations?clientId=: one client's history, newest first.
    index('operations_client_id_id_idx').on(table.clientId, table.id.desc()),
  ],
);
export type OperationRow = typeof operations.$inferSelect;
export type NewOperationRow = typeof operations.$inferInsert;

/** The fencing epoch: a single row, incremented by each new leader. */
export const leaderEpoch = pgTable(
  'leader_epoch',
  {
    id: smallint('id').primaryKey().default(1),
    epoch: bigint('epoch', { mode: 'number' }).notNull().default(0),
    replicaId: varchar('replica_id', { length: 100 }),
    since: timestamptz('since'),
  },
  (table) => [check('leader_epoch_single_row_check', sql`${table.id} = 1`)],
);
export type LeaderEpochRow = typeof leaderEpoch.$inferSelect;

/** Answers of POST /api/v1/clients by Idempotency-Key, kept 24 hours. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: varchar('key', { length: 255 }).primaryKey(),
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (table) => [
    // The hourly purge of keys older than 24 hours.
    index('idempotency_keys_created_at_idx').on(table.createdAt),
  ],
);
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;

/** Pods the leader last saw, with their health, kept in step with the deployer by its watch and listings. */
export const pods = pgTable(
  'pods',
  {
    name: varchar('name', { length: 63 }).primaryKey(),
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    specHash: varchar('spec_hash', { length: 64 }).notNull(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    phase: varchar('phase', { length: 16 }).$type<PodPhase>().notNull().default('Pending'),
    ready: boolean('ready').notNull().default(false),
    restarts: integer('restarts').notNull().default(0),
    reason: varchar('reason', { length: 100 }),
    message: text('message'),
    node: varchar('node', { length: 253 }),
    /** Last change of phase or readiness, as the leader saw it. */
    since: timestamptz('since').notNull().defaultNow(),
    observedAt: timestamptz('observed_at').notNull().defaultNow(),
  },
  (table) => [
    // GET /api/v1/clients/{id}: one client's pods.
    index('pods_client_id_idx').on(table.clientId),
    // GET /api/v1/pods?ready=false, paged by name: the few pods not ready, without reading past
    // every ready one. Paging without that filter walks the primary key.
    index('pods_unready_name_idx')
      .on(table.name)
      .where(sql`not ${table.ready}`),
  ],
);
export type PodRow = typeof pods.$inferSelect;

export const SYNC_TRIGGERS = ['periodic', 'event', 'manual', 'startup'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** One row per sync round, written by the leader that ran it. */
export const syncRounds = pgTable(
  'sync_rounds',
  {
    // GET /api/v1/sync/rounds reads the newest rows by id: the primary key serves it, so the table
    // carries no other index.
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    replicaId: varchar('replica_id', { length: 100 }).notNull(),
    trigger: varchar('trigger', { length: 16 }).$type<SyncTrigger>().notNull(),
    /** Null for a full round; else the clients an event-driven round reconciled. */
    scope: bigint('scope', { mode: 'number' }).array(),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    /** Null while the round runs, or when its leader stopped before recording the end. */
    finishedAt: timestamptz('finished_at'),
    planned: integer('planned').notNull().default(0),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** The mass-deletion guard held back this round's deletes. */
    guarded: boolean('guarded').notNull().default(false),
    /** The cluster was paused: the round planned and acted on nothing. */
    paused: boolean('paused').notNull().default(false),
    /** Why the round ended early, when it did. */
    error: text('error'),
  },
  (table) => [
    check(
      'sync_rounds_trigger_check',
      sql`${table.trigger} in (${sql.raw(SYNC_TRIGGERS.map((name) => `'${name}'`).join(', '))})`,
    ),
  ],
);
export type SyncRoundRow = typeof syncRounds.$inferSelect;
export type NewSyncRoundRow = typeof syncRounds.$inferInsert;

/**
 * Settings of the whole cluster that must survive a change of leader: a single row, created on
 * first write. Requests for a full round are counted rather than flagged, so that serving one
 * never clears a request that arrived while it ran.
 */
export const clusterSettings = pgTable(
  'cluster_settings',
  {
    id: smallint('id').primaryKey().default(1),
    /** Maintenance: rounds plan but do not act. */
    paused: boolean('paused').notNull().default(false),
    /** Full rounds asked for (POST /api/v1/sync), counted from 1. */
    roundRequests: integer('round_requests').notNull().default(0),
    /** The number of the latest request a finished full round has served. */
    roundRequestsServed: integer('round_requests_served').notNull().default(0),
    /** The number of the latest request that lifts the mass-deletion guard; pending while above the served one. */
    forcedRoundRequest: integer('forced_round_request').notNull().default(0),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (table) => [check('cluster_settings_single_row_check', sql`${table.id} = 1`)],
);
export type ClusterSettingsRow = typeof clusterSettings.$inferSelect;
