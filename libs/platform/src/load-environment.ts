import { existsSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from '@podsync/domain';

/**
 * Reads `.env` when present, then validates the environment. A bad value ends the process
 * with one line naming the variable, the value and what is expected.
 */
export function configFromEnvironment(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`podsync: ${error.message}\n`);
    process.exit(2);
  }
}
