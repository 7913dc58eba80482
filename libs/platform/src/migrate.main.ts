import { openDatabase } from '@podsync/db';
import { configFromEnvironment } from './load-environment';
import { runProcess } from './run-process';

/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded database) and exits. */
async function migrate(): Promise<void> {
  const config = configFromEnvironment();
  const database = openDatabase(config.database);
  try {
    await database.migrate();
    process.stdout.write(`podsync: migrations applied to ${database.description}\n`);
  } finally {
    await database.close();
  }
}

runProcess(migrate);
