import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';

/** `podsync pause`: maintenance; rounds plan but do not act until resumed. */
export async function pauseCluster(context: CliContext): Promise<void> {
  const { data } = await apiCall(context.url, context.client.POST('/api/v1/sync/pause'));
  context.output.record([['paused', 'yes: rounds plan but do not act (podsync resume)']], data);
}

/** `podsync resume`: rounds act again. */
export async function resumeCluster(context: CliContext): Promise<void> {
  const { data } = await apiCall(context.url, context.client.POST('/api/v1/sync/resume'));
  context.output.record([['paused', 'no: rounds act again']], data);
}

export const pauseCommand = (io: CliIo) =>
  defineCommand(io, 'pause', pauseCluster)
    .description('Maintenance: rounds plan but carry out nothing until `podsync resume`')
    .addHelpText('after', examples('podsync pause'));

export const resumeCommand = (io: CliIo) =>
  defineCommand(io, 'resume', resumeCluster)
    .description('End maintenance: rounds act again')
    .addHelpText('after', examples('podsync resume'));
