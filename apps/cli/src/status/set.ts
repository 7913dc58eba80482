import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { UsageError } from '../cli-errors';
import { defineCommand, examples } from '../command';

export interface SetStatusOptions {
  restart?: boolean;
}

const SWITCH: Record<string, boolean> = { on: true, off: false, true: true, false: false };

/** `VWAP=on TWAP=off` as the API's body `{"VWAP":true,"TWAP":false}`. */
export function algorithmFlags(assignments: readonly string[]): Record<string, boolean> {
  if (assignments.length === 0) throw new UsageError('name at least one algorithm, e.g. VWAP=on');
  const flags: Record<string, boolean> = {};
  for (const assignment of assignments) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(assignment);
    const value = match?.[2] === undefined ? undefined : SWITCH[match[2].toLowerCase()];
    if (match?.[1] === undefined || value === undefined) {
      throw new UsageError(`"${assignment}" is not ALGORITHM=on or ALGORITHM=off`);
    }
    flags[match[1]] = value;
  }
  return flags;
}

/** `podsync status set <id> VWAP=on TWAP=off [--restart]`: switches algorithms; the others keep their value. */
export async function setStatus(
  context: CliContext,
  options: SetStatusOptions,
  id: number,
  assignments: string[],
): Promise<void> {
  const flags = algorithmFlags(assignments);
  const { message } = await apiCall(
    context.url,
    context.client.PUT('/api/v1/status/{id}', {
      params: { path: { id }, query: options.restart === true ? { need_restart: 'true' } : {} },
      body: flags,
    }),
  );
  context.output.message(message ?? 'status updated');
}

export const setStatusCommand = (io: CliIo) =>
  defineCommand(io, 'set', setStatus)
    .description("Switch a client's algorithms on or off; algorithms not named keep their value")
    .argument('<id>', 'client id', positiveInteger)
    .argument('<ALGORITHM=on|off...>', 'e.g. VWAP=on TWAP=off (names are case-insensitive)')
    .option('--restart', 'also recreate each of its running pods once')
    .addHelpText('after', examples('podsync status set 168317 VWAP=on TWAP=off', 'podsync status set 168317 HFT=on --restart'));
