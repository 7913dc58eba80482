/**
 * A process holding the embedded database, for the tests of its life cycle:
 * `node --import tsx embedded-database-process.ts <dataDir> <hold|exit>`. It starts the server,
 * commits one client named `committed`, prints `ready`, and then either waits to be killed
 * (`hold`) or exits without closing the database (`exit`).
 */
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../libs/db/src/open-database';

async function main(): Promise<void> {
  const [dataDir, mode] = process.argv.slice(2);
  if (dataDir === undefined || (mode !== 'hold' && mode !== 'exit')) throw new Error('usage: <dataDir> <hold|exit>');
  const database = openDatabase({ url: undefined, dataDir });
  await database.migrate();
  await database.db.execute(
    sql`insert into clients (name, version, image, cpu, mem, priority) values ('committed', 1, 'registry.example.com/algo:1', '1', '1Gi', 0)`,
  );
  process.stdout.write('ready\n');
  if (mode === 'exit') process.exit(0);
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
