import { Command, Option } from 'commander';
import { type CliIo, DEFAULT_URL } from './cli-context';
import { clientsCommand } from './clients/clients.command';
import { clusterCommand } from './cluster/show';
import { examples } from './command';
import { logLevelCommand } from './log-level/set';
import { opsCommand } from './ops/ops.command';
import { OUTPUT_FORMATS } from './output';
import { planCommand } from './plan/show';
import { podsCommand } from './pods/pods.command';
import { statusCommand } from './status/status.command';
import { pauseCommand, resumeCommand } from './sync/pause';
import { syncCommand } from './sync/run';

/** The `podsync` command tree; commander errors are thrown (not exited on) so that runCli picks the exit code. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('podsync')
    .description("Operate podsync through its gateway's REST API")
    .option('--url <url>', `the gateway (env PODSYNC_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', 'a bearer token from PODSYNC_API_TOKENS (env PODSYNC_TOKEN)')
    .addOption(
      new Option('-o, --output <format>', 'table for people, json or yaml for scripts').choices(OUTPUT_FORMATS).default('table'),
    )
    .addCommand(clientsCommand(io))
    .addCommand(statusCommand(io))
    .addCommand(podsCommand(io))
    .addCommand(clusterCommand(io))
    .addCommand(planCommand(io))
    .addCommand(syncCommand(io))
    .addCommand(pauseCommand(io))
    .addCommand(resumeCommand(io))
    .addCommand(opsCommand(io))
    .addCommand(logLevelCommand(io))
    .addHelpText(
      'after',
      `${examples(
        'podsync clients ls',
        'podsync status set 168317 VWAP=on TWAP=off',
        'podsync pods ls --unhealthy',
        'podsync plan',
        'PODSYNC_URL=http://gateway:8081 PODSYNC_TOKEN=... podsync cluster -o json',
      )}\nExit codes: 0 done, 1 the API refused or failed (or could not be reached), 2 bad usage.\n`,
    );
  configure(program, io);
  return program;
}

/** commander's settings are not inherited by added commands: apply them to the whole tree. */
function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const child of command.commands) configure(child, io);
}
