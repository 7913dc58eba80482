import type { Command } from 'commander';
import { type ApiClient, createApiClient } from '@podsync/api-client';
import { colourWanted, Output, type OutputFormat, type TextStream } from './output';

/** Where the gateway is when neither --url nor PODSYNC_URL says otherwise: `npm start` on this machine. */
export const DEFAULT_URL = 'http://127.0.0.1:8081';

/** The process around the CLI, passed in so that tests and main share one entry. */
export interface CliIo {
  stdout: TextStream;
  stderr: TextStream;
  env: NodeJS.ProcessEnv;
  /** Aborts long-running commands (ops tail -f) on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

/** What every command gets: the API client, where it points, the output helper. */
export interface CliContext {
  client: ApiClient;
  url: string;
  token: string | undefined;
  output: Output;
  io: CliIo;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  output: OutputFormat;
}

/** Reads the global options of the command being run, falling back on PODSYNC_URL and PODSYNC_TOKEN. */
export function cliContext(command: Command, io: CliIo): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const url = options.url ?? (io.env.PODSYNC_URL || DEFAULT_URL);
  const token = options.token ?? (io.env.PODSYNC_TOKEN || undefined);
  return {
    client: createApiClient({ url, ...(token === undefined ? {} : { token }) }),
    url,
    token,
    output: new Output(io.stdout, options.output, colourWanted(io.stdout, io.env)),
    io,
  };
}

/** The action of a command: its positional arguments and options, then the context. */
export type CommandAction<Options> = (context: CliContext, options: Options, ...args: string[]) => Promise<void>;
