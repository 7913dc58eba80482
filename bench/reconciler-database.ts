import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { createMigratedDatabase } from '../test/support/test-database';

const ALGORITHM_LIST = `'VWAP', 'TWAP', 'HFT'`;
/** psql's own wait for the server, and the longest a plain read of 300,000 rows may take. */
const PSQL_TIMEOUT_MS = 60_000;

/** The query of desiredPodBatches over all clients at once: what the database alone needs to hand out the desired state. */
const DESIRED_STATE_SQL = `
  select c.id, c.image, c.version, c.cpu, c.mem, c.priority, c.need_restart, c.restart_requests, ca.algorithm
  from clients c
  left join client_algorithms ca on ca.client_id = c.id and ca.enabled and ca.algorithm in (${ALGORITHM_LIST})
  order by c.id, ca.algorithm`;

export interface ReconcilerBenchDatabase {
  url: string;
  serverVersion: string;
  /** Empties every table, then inserts `count` clients; with `algorithms` all three are on for each. */
  seed(count: number, algorithms: boolean): Promise<void>;
  /** Forgets what earlier cases did: pods, operations, rounds, outbox. The clients stay. */
  resetRuns(): Promise<void>;
  /** Milliseconds psql takes to COPY the whole desired state to stdout (discarded). */
  plainReadMs(): Promise<number>;
  /** Ids of the clients, ascending. */
  clientIds(): Promise<number[]>;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the loopback server, dropped by drop(). */
export async function createReconcilerBenchDatabase(): Promise<ReconcilerBenchDatabase> {
  const created = await createMigratedDatabase({ poolSize: 1 });
  const url = new URL(created.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    await created.dispose();
    throw new Error(`the benchmark only runs against a loopback database, not ${url.hostname}`);
  }
  // The cases open the database themselves; the migration's connection is not wanted beside them.
  await created.database.close();
  const sql = postgres(created.url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    const [version] = await sql<{ server_version: string }[]>`show server_version`;
    return {
      url: created.url,
      serverVersion: version?.server_version ?? 'unknown',
      async seed(count, algorithms) {
        await sql`truncate clients, client_algorithms, pods, operations, sync_rounds, outbox, cluster_settings restart identity cascade`;
        await sql`
          insert into clients (name, version, image, cpu, mem, priority)
          select 'bench-' || n, 1, 'registry.example.com/algo:1.0', '500m', '256Mi', n % 10
          from generate_series(1, ${count}::int) as n`;
        if (algorithms) {
          await sql.unsafe(`
            insert into client_algorithms (client_id, algorithm, enabled)
            select c.id, a.name, true from clients c cross join unnest(array[${ALGORITHM_LIST}]) as a(name)`);
        }
        await sql`vacuum analyze`;
      },
      async resetRuns() {
        await sql`truncate pods, operations, sync_rounds, outbox`;
        await sql`vacuum analyze`;
      },
      plainReadMs: () => timePsqlCopy(created.url),
      async clientIds() {
        const rows = await sql<{ id: string }[]>`select id from clients order by id`;
        return rows.map((row) => Number(row.id));
      },
      async drop() {
        await sql.end({ timeout: 5 });
        await created.dispose();
      },
    };
  } catch (error) {
    await sql.end({ timeout: 5 });
    await created.dispose();
    throw error;
  }
}

/**
 * psql's own timing of the COPY (\timing: from sending the statement to the last row received),
 * so the process start and the connection are not counted; the rows go to /dev/null.
 */
function timePsqlCopy(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-o', '/dev/null', '-c', '\\timing on', '-c'];
    const psql = spawn('psql', [...args, `copy (${DESIRED_STATE_SQL}) to stdout`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: PSQL_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    psql.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    psql.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    psql.on('error', reject);
    psql.on('close', (code, signal) => {
      const timing = /Time: ([\d.]+) ms/.exec(stdout);
      if (code === 0 && timing?.[1] !== undefined) resolve(Number(timing[1]));
      else reject(new Error(`psql copy failed (${code ?? signal}): ${stderr.trim() || stdout.trim()}`));
    });
  });
}
