import { Argument } from 'commander';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** `podsync log-level <level>`: the gateway's log level, until changed again or restarted. */
export async function setLogLevel(context: CliContext, _options: object, level: (typeof LEVELS)[number]): Promise<void> {
  const { message } = await apiCall(context.url, context.client.PUT('/api/v1/log-level', { body: { level } }));
  context.output.message(message ?? `log level set to ${level}`);
}

export const logLevelCommand = (io: CliIo) =>
  defineCommand(io, 'log-level', setLogLevel)
    .description("Change the gateway's log level at run time")
    .addArgument(new Argument('<level>', 'the new level').choices(LEVELS))
    .addHelpText('after', examples('podsync log-level debug', 'podsync log-level info'));
