import { Command, type OptionValues } from 'commander';
import { type CliContext, cliContext, type CliIo } from './cli-context';

/**
 * A commander command whose action receives the context (API client, output) and its options,
 * then its positional arguments: the command's own function stays free of commander.
 */
export function defineCommand<Options extends OptionValues, Args extends unknown[] = []>(
  io: CliIo,
  name: string,
  run: (context: CliContext, options: Options, ...args: Args) => Promise<void>,
): Command {
  return new Command(name).action(async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    // commander passes the arguments (parsed by their argParser), then the options and the command.
    const positional = received.slice(0, -2) as Args;
    await run(cliContext(command, io), command.opts<Options>(), ...positional);
  });
}

/** The `Examples:` block of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
