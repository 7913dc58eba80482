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
  varchar,
} from 'drizzle-orm/pg-core';

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
  subject: varchar('subject', { length: 100 }).notNull(),
  clientId: bigint('client_id', { mode: 'number' }).notNull(),
  payload: jsonb('payload').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});
export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

/** Audit history of pod operations, written by the leader. */
export const operations = pgTable(
  'operations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    round: bigint('round', { mode: 'number' }),
    replicaId: varchar('replica_id', { length: 100 }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull(),
    pod: varchar('pod', { length: 63 }).notNull(),
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    result: varchar('result', { length: 16 }).notNull(),
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

/** Pods the leader last saw running, kept in step with the deployer. */
export const pods = pgTable(
  'pods',
  {
    name: varchar('name', { length: 63 }).primaryKey(),
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    specHash: varchar('spec_hash', { length: 64 }).notNull(),
    epoch: bigint('epoch', { mode: 'number' }).notNull(),
    observedAt: timestamptz('observed_at').notNull().defaultNow(),
  },
  (table) => [
    // GET /api/v1/clients/{id}: the names of one client's running pods.
    index('pods_client_id_idx').on(table.clientId),
  ],
);
export type PodRow = typeof pods.$inferSelect;
