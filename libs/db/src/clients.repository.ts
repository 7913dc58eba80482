import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import { currentTraceCarrier, EVENT_SUBJECTS, newEventId, type PodPhase } from '@podsync/domain';
import type { Db } from './database';
import { columnList, PreparedStatement } from './prepared-statement';
import { clientAlgorithms, clients, type ClientRow, type NewClientRow } from './schema';

export type ClientFields = Pick<NewClientRow, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

export async function insertClient(db: Db, fields: ClientFields): Promise<ClientRow> {
  const [row] = await db.insert(clients).values(fields).returning().prepare('insert_client').execute();
  if (row === undefined) throw new Error('insert into clients returned no row');
  return row;
}

const CLIENT_COLUMNS = getTableColumns(clients);

/** The active trace context as JSON text for an outbox row (see appendOutbox), or null outside a trace. */
function traceContextText(): string | null {
  const carrier = currentTraceCarrier();
  return carrier === null ? null : JSON.stringify(carrier);
}

/** A timestamptz as JavaScript's `toISOString()` writes it: UTC, milliseconds, `Z`. */
const isoTime = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const insertClientWithEventStatement = new PreparedStatement(
  'insert_client_with_event',
  () => sql`
    with client as (
      insert into clients (name, version, image, cpu, mem, priority)
      values (${sql.placeholder('name')}::varchar, ${sql.placeholder('version')}::integer, ${sql.placeholder('image')}::varchar,
        ${sql.placeholder('cpu')}::varchar, ${sql.placeholder('mem')}::varchar, ${sql.placeholder('priority')}::float8)
      returning ${columnList(CLIENT_COLUMNS)}
    ), event as (
      insert into outbox (event_id, subject, client_id, trace_context, payload)
      select ${sql.placeholder('eventId')}::uuid, ${sql.placeholder('subject')}::varchar, client.id,
        ${sql.placeholder('traceContext')}::text::jsonb, jsonb_build_object(
        'id', client.id, 'name', client.name, 'version', client.version, 'image', client.image, 'cpu', client.cpu,
        'mem', client.mem, 'priority', client.priority, 'needRestart', client.need_restart,
        'spawnedAt', ${isoTime('client.spawned_at')}, 'createdAt', ${isoTime('client.created_at')},
        'updatedAt', ${isoTime('client.updated_at')})
      from client
    )
    select ${columnList(CLIENT_COLUMNS)} from client`,
  CLIENT_COLUMNS,
);

/**
 * Inserts a client and its `client.created` outbox row in one statement: they commit together
 * or not at all, as one statement is one transaction, without the round trips of BEGIN and
 * COMMIT. The event carries the client as the API shows it (the `Client` view: camelCase, times
 * as ISO strings in UTC), built by the database from the inserted row. Inside a transaction it
 * is part of that transaction.
 */
export async function insertClientWithEvent(db: Db, fields: Required<ClientFields>): Promise<ClientRow> {
  const row = await insertClientWithEventStatement.row(db, {
    ...fields,
    eventId: newEventId(),
    subject: EVENT_SUBJECTS.clientCreated,
    traceContext: traceContextText(),
  });
  if (row === undefined) throw new Error('insert into clients returned no row');
  return row;
}

export async function findClient(db: Db, id: number): Promise<ClientRow | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.id, id));
  return row;
}

/** One of a client's pods with its health, as the client view shows it. */
export interface ClientPodRow {
  name: string;
  algorithm: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  reason: string | null;
  since: Date;
}

export interface ClientDetailsRow {
  client: ClientRow;
  /** Algorithms switched on. */
  enabled: string[];
  /** Pods the leader last saw, by name. */
  pods: ClientPodRow[];
}

/** A pod as the details statement's JSON carries it: `since` in epoch milliseconds, which no time zone setting changes. */
type ClientPodJson = Omit<ClientPodRow, 'since'> & { since: number };

const detailsStatements = new WeakMap<Db, ReturnType<typeof prepareClientDetails>>();

function prepareClientDetails(db: Db) {
  return db
    .select({
      client: clients,
      enabled: sql<
        string[]
      >`array(select ${clientAlgorithms.algorithm} from ${clientAlgorithms} where ${clientAlgorithms.clientId} = ${clients.id} and ${clientAlgorithms.enabled} order by 1)`,
      // One JSON array, so that the client, its flags and its pods stay one statement and one row.
      // Written out qualified, as drizzle leaves the columns of a one-table select unqualified.
      pods: sql<ClientPodJson[]>`(select coalesce(json_agg(json_build_object(
          'name', pods.name, 'algorithm', pods.algorithm, 'phase', pods.phase, 'ready', pods.ready,
          'restarts', pods.restarts, 'reason', pods.reason,
          'since', floor(extract(epoch from pods.since) * 1000)) order by pods.name), '[]')
        from pods where pods.client_id = clients.id)`,
    })
    .from(clients)
    .where(eq(clients.id, sql.placeholder('id')))
    .prepare('find_client_details');
}

/**
 * A client with its flags and pods in one statement, prepared once per pool: the API's hottest
 * read, so it skips rebuilding its SQL and re-parsing it on the server on every call. Not for a
 * transaction, whose statements belong to its own connection.
 */
export async function findClientDetails(db: Db, id: number): Promise<ClientDetailsRow | undefined> {
  let statement = detailsStatements.get(db);
  if (statement === undefined) {
    statement = prepareClientDetails(db);
    detailsStatements.set(db, statement);
  }
  const [row] = await statement.execute({ id });
  if (row === undefined) return undefined;
  return { ...row, pods: row.pods.map((pod) => ({ ...pod, since: new Date(pod.since) })) };
}

/** Keyset page: clients with an id above `afterId`, in id order. */
export async function listClients(db: Db, afterId: number | undefined, limit: number): Promise<ClientRow[]> {
  return db
    .select()
    .from(clients)
    .where(afterId === undefined ? undefined : gt(clients.id, afterId))
    .orderBy(asc(clients.id))
    .limit(limit);
}

export async function replaceClient(db: Db, id: number, fields: ClientFields): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(eq(clients.id, id))
    .returning()
    .prepare('replace_client')
    .execute();
  return row;
}

export async function deleteClient(db: Db, id: number): Promise<ClientRow | undefined> {
  const [row] = await db.delete(clients).where(eq(clients.id, id)).returning();
  return row;
}

/** Sets or clears the restart request; undefined leaves it and only touches updated_at. */
export async function touchClientStatus(db: Db, id: number, needRestart: boolean | undefined): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set(needRestart === undefined ? { updatedAt: sql`now()` } : { needRestart, updatedAt: sql`now()` })
    .where(eq(clients.id, id))
    .returning()
    .prepare('touch_client_status')
    .execute();
  return row;
}

export async function setAlgorithmFlags(db: Db, clientId: number, flags: Record<string, boolean>): Promise<void> {
  const rows = Object.entries(flags).map(([algorithm, enabled]) => ({ clientId, algorithm, enabled }));
  if (rows.length === 0) return;
  await db
    .insert(clientAlgorithms)
    .values(rows)
    .onConflictDoUpdate({
      target: [clientAlgorithms.clientId, clientAlgorithms.algorithm],
      set: { enabled: sql`excluded.enabled`, updatedAt: sql`now()` },
    })
    .prepare('set_algorithm_flags')
    .execute();
}

/** Names of the algorithms switched on for a client. */
export async function enabledAlgorithms(db: Db, clientId: number): Promise<string[]> {
  const rows = await db
    .select({ algorithm: clientAlgorithms.algorithm })
    .from(clientAlgorithms)
    .where(and(eq(clientAlgorithms.clientId, clientId), eq(clientAlgorithms.enabled, true)))
    .prepare('enabled_algorithms')
    .execute();
  return rows.map((row) => row.algorithm);
}

/** Statement of `changeClientStatus`, the one that sets need_restart apart from the one that leaves it alone. */
function changeStatusStatement(setsNeedRestart: boolean) {
  return new PreparedStatement(
    setsNeedRestart ? 'change_client_status_and_restart' : 'change_client_status',
    () => sql`
      with client as (
        -- Updating the client row first locks it, so concurrent status changes of one client queue up.
        update clients set updated_at = now()${setsNeedRestart ? sql`, need_restart = ${sql.placeholder('needRestart')}::boolean` : sql``}
        where id = ${sql.placeholder('id')}::bigint
        returning id, need_restart
      ), flags as (
        insert into client_algorithms (client_id, algorithm, enabled)
        select client.id, flag.key, flag.value::boolean
        from client cross join jsonb_each_text(${sql.placeholder('flags')}::text::jsonb) as flag
        on conflict (client_id, algorithm) do update set enabled = excluded.enabled, updated_at = now()
      )
      select need_restart from client`,
    { needRestart: clients.needRestart },
  );
}

const changeStatusStatements = { touch: changeStatusStatement(false), restart: changeStatusStatement(true) };

/**
 * Switches a client's algorithms and, unless `needRestart` is undefined, sets or clears its
 * restart request (need_restart is assigned only then: the restart counter's trigger counts
 * every assignment of true). One statement; undefined when there is no such client, and then
 * nothing changed.
 */
export async function changeClientStatus(
  db: Db,
  id: number,
  flags: Record<string, boolean>,
  needRestart: boolean | undefined,
): Promise<{ needRestart: boolean } | undefined> {
  const values = { id, flags: JSON.stringify(flags) };
  return needRestart === undefined
    ? changeStatusStatements.touch.row(db, values)
    : changeStatusStatements.restart.row(db, { ...values, needRestart });
}

const appendStatusEventStatement = new PreparedStatement(
  'append_status_event',
  () => sql`
    insert into outbox (event_id, subject, client_id, trace_context, payload)
    select ${sql.placeholder('eventId')}::uuid, ${sql.placeholder('subject')}::varchar, client.id,
      ${sql.placeholder('traceContext')}::text::jsonb, jsonb_build_object(
      'clientId', client.id,
      'algorithms', (
        select jsonb_object_agg(catalogue.algorithm, coalesce(flag.enabled, false))
        from jsonb_array_elements_text(${sql.placeholder('catalogue')}::text::jsonb) as catalogue (algorithm)
        left join client_algorithms flag on flag.client_id = client.id and flag.algorithm = catalogue.algorithm
      ),
      'needRestart', client.need_restart)
    from clients client where client.id = ${sql.placeholder('id')}::bigint
    returning id`,
  { id: clients.id },
);

/**
 * Appends the `status.updated` event of a client: its whole status as it stands in this
 * transaction, every algorithm of `catalogue` mapped to its flag (off without a stored one), as
 * `AlgorithmCatalogue.flags` maps them. Call in the transaction of the change, after it. False,
 * and nothing appended, when there is no such client.
 */
export async function appendStatusEvent(db: Db, id: number, catalogue: readonly string[]): Promise<boolean> {
  const rows = await appendStatusEventStatement.rows(db, {
    id,
    catalogue: JSON.stringify(catalogue),
    eventId: newEventId(),
    subject: EVENT_SUBJECTS.statusUpdated,
    traceContext: traceContextText(),
  });
  return rows.length > 0;
}
