import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export interface GatewayBenchDatabase {
  name: string;
  url: string;
  serverVersion: string;
  /** Inserts `count` clients, VWAP on for every other one; returns the range of their ids. */
  seedClients(count: number): Promise<{ firstId: number; lastId: number }>;
  /** Process ids of the backends connected to this database, for their CPU time. */
  backendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

const connectOptions = { max: 1, onnotice: () => undefined, connect_timeout: 5 } as const;

/** A fresh database on the server of `adminUrl`, dropped again by `drop()` (also when the gateway still holds it). */
export async function createGatewayBenchDatabase(adminUrl: string): Promise<GatewayBenchDatabase> {
  const target = new URL(adminUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`the benchmark only runs against a loopback database, not ${target.hostname}`);
  }
  const name = `podsync_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, connectOptions);
  let serverVersion: string;
  try {
    const [row] = await admin<{ server_version: string }[]>`show server_version`;
    serverVersion = row?.server_version ?? 'unknown';
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  target.pathname = `/${name}`;
  const url = target.toString();
  // Connected to the admin database, so that it is not one of the backends it counts.
  let monitor: postgres.Sql | undefined;

  return {
    name,
    url,
    serverVersion,
    async seedClients(count) {
      const sql = postgres(url, connectOptions);
      try {
        const [range] = await sql<{ first_id: string; last_id: string }[]>`
          with inserted as (
            insert into clients (name, version, image, cpu, mem, priority)
            select 'seed-' || n, 1, 'registry.example.com/algo:1.0', '500m', '256Mi', n % 10
            from generate_series(1, ${count}::int) as n
            returning id
          )
          select min(id) as first_id, max(id) as last_id from inserted`;
        if (range === undefined) throw new Error('seeding returned no id range');
        const firstId = Number(range.first_id);
        const lastId = Number(range.last_id);
        await sql`
          insert into client_algorithms (client_id, algorithm, enabled)
          select id, 'VWAP', true from clients where id between ${firstId} and ${lastId} and id % 2 = 0`;
        await sql`analyze`;
        return { firstId, lastId };
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    async backendPids() {
      monitor ??= postgres(adminUrl, connectOptions);
      const rows = await monitor<{ pid: number }[]>`
        select pid from pg_stat_activity where datname = ${name} and backend_type = 'client backend'`;
      return rows.map((row) => row.pid);
    },
    async drop() {
      await monitor?.end({ timeout: 5 });
      monitor = undefined;
      const dropper = postgres(adminUrl, connectOptions);
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}
