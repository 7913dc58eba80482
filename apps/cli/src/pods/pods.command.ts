import { Command } from 'commander';
import type { CliIo } from '../cli-context';
import { listPodsCommand } from './list';

export const podsCommand = (io: CliIo) =>
  new Command('pods').description('The managed pods and their health').addCommand(listPodsCommand(io));
