/**
 * The baseline of `npm run bench:gateway`: the least a server on the same stack (Fastify and
 * postgres.js) must do to answer the gateway's measured requests with the same database work —
 * the client and its outbox row in one prepared statement, a status change and its outbox row in
 * one, a client with its flags and pods read in one — and nothing else: no validation, no
 * framework layers, no logging, no metrics. Never shipped and never imported by the apps; the
 * benchmark starts it as a process of its own, configured like the gateway (DATABASE_URL,
 * PODSYNC_HTTP_PORT, PODSYNC_API_TOKENS), on a database migrated and seeded like the gateway's.
 */
import Fastify from 'fastify';
import postgres from 'postgres';

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PODSYNC_HTTP_PORT);
const token = process.env.PODSYNC_API_TOKENS?.split(':')[0];
if (databaseUrl === undefined || !Number.isInteger(port) || token === undefined) {
  throw new Error('baseline server: DATABASE_URL, PODSYNC_HTTP_PORT and PODSYNC_API_TOKENS are required');
}
const expectedAuthorization = `Bearer ${token}`;

// The gateway's pool size, so that both hold the same number of PostgreSQL backends.
const sql = postgres(databaseUrl, { max: 10, onnotice: () => undefined });

interface ClientBody {
  name: string;
  version: number;
  image: string;
  cpu: string;
  mem: string;
  priority?: number;
}

const server = Fastify({ logger: false });

// The gateway checks a bearer token on every request but the probes; so does the baseline, at its cheapest.
const OPEN_PATHS = new Set(['/api/health', '/api/ready']);
server.addHook('onRequest', async (request, reply) => {
  if (!OPEN_PATHS.has(request.url) && request.headers.authorization !== expectedAuthorization) {
    await reply.code(401).send({ status: 'error', message: 'unauthorized' });
  }
});

server.get('/api/health', async () => ({ status: 'ok' }));

server.get('/api/ready', async () => {
  await sql`select 1`;
  return { status: 'ok' };
});

server.post<{ Body: ClientBody }>('/api/v1/clients', async (request, reply) => {
  const { name, version, image, cpu, mem, priority = 0 } = request.body;
  const [client] = await sql`
    with client as (
      insert into clients (name, version, image, cpu, mem, priority)
      values (${name}, ${version}, ${image}, ${cpu}, ${mem}, ${priority})
      returning id, name, version, image, cpu, mem, priority, need_restart, spawned_at, created_at, updated_at
    ), event as (
      insert into outbox (subject, client_id, payload)
      select 'podsync.events.client.created', id, to_jsonb(client) from client
    )
    select * from client`;
  return reply.code(201).header('location', `/api/v1/clients/${client?.id}`).send({ status: 'ok', data: client });
});

server.put<{ Params: { id: string }; Body: Record<string, boolean> }>('/api/v1/status/:id', async (request, reply) => {
  const id = Number(request.params.id);
  const [changed] = await sql`
    with client as (
      update clients set updated_at = now() where id = ${id} returning id
    ), flags as (
      insert into client_algorithms (client_id, algorithm, enabled)
      select client.id, flag.key, flag.value::boolean
      from client cross join jsonb_each_text(${sql.json(request.body)}) as flag
      on conflict (client_id, algorithm) do update set enabled = excluded.enabled, updated_at = now()
    ), event as (
      insert into outbox (subject, client_id, payload)
      select 'podsync.events.status.updated', client.id, ${sql.json(request.body)} from client
    )
    select id from client`;
  if (changed === undefined) return reply.code(404).send({ status: 'error', message: `no client ${id}` });
  return { status: 'ok', message: 'status updated successfully' };
});

server.get<{ Params: { id: string } }>('/api/v1/clients/:id', async (request, reply) => {
  const id = Number(request.params.id);
  const [client] = await sql`
    select c.id, c.name, c.version, c.image, c.cpu, c.mem, c.priority, c.need_restart, c.spawned_at, c.created_at, c.updated_at,
      coalesce((select jsonb_object_agg(a.algorithm, a.enabled) from client_algorithms a where a.client_id = c.id), '{}') as algorithms,
      coalesce((select jsonb_agg(p.name) from pods p where p.client_id = c.id), '[]') as pods
    from clients c where c.id = ${id}`;
  if (client === undefined) return reply.code(404).send({ status: 'error', message: `no client ${id}` });
  return { status: 'ok', data: client };
});

const shutdown = (): void => {
  void server
    .close()
    .then(() => sql.end({ timeout: 5 }))
    .finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

server.listen({ host: '127.0.0.1', port }).catch((error: unknown) => {
  process.stderr.write(`baseline server: ${String(error)}\n`);
  process.exit(1);
});
