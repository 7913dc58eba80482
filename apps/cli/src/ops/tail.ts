import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, Option } from 'commander';
import { readEventStream, type StreamEvent, type StreamEventType } from '@podsync/api-client';
import { positiveInteger } from '../arguments';
import type { CliContext, CliIo } from '../cli-context';
import { GatewayUnreachableError } from '../cli-errors';
import { defineCommand, examples } from '../command';
import { cellText, type Output, type Row } from '../output';
import { fetchOperations } from './list';

const EVENT_TYPES: readonly StreamEventType[] = ['operation', 'pod-status', 'leader', 'round'];

/** Pause before reconnecting after the stream dropped (as a browser's EventSource would). */
const RECONNECT_MS = 2_000;

export interface TailOperationsOptions {
  follow?: boolean;
  lines: number;
  client?: number;
  types?: StreamEventType[];
}

/**
 * `podsync ops tail [-f]`: the latest operations, oldest first; with -f, then every new event
 * from the gateway's event stream until interrupted, reconnecting with Last-Event-ID.
 */
export async function tailOperations(context: CliContext, options: TailOperationsOptions): Promise<void> {
  const { output, io } = context;
  if (options.follow !== true) {
    printHistory(output, await history(context, options));
    return;
  }
  // The stream opens first, and what it sends waits until the history is printed: no gap between the two.
  const waiting: StreamEvent[] = [];
  let lastOperationId = 0;
  let print = (event: StreamEvent): void => {
    waiting.push(event);
  };
  const onEvent = (event: StreamEvent): void => print(event);
  const types = options.types ?? ['operation'];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const stream = { url: context.url, token: context.token, clientId: options.client, types, signal: io.signal, onEvent };
  let following = readEventStream({ ...stream, onOpen: opened }).catch((error: unknown) => {
    throw error instanceof TypeError ? new GatewayUnreachableError(context.url, error) : error;
  });
  await Promise.race([open, following]);

  const operations = await history(context, options);
  printHistory(output, operations);
  lastOperationId = Math.max(0, ...operations.map((operation) => Number(operation.id)));
  print = (event) => {
    // An operation both in the history and in the stream is shown once.
    if (event.type === 'operation' && Number((event.data as Row).id) <= lastOperationId) return;
    printEvent(output, event);
  };
  waiting.splice(0).forEach(print);

  for (;;) {
    let lastEventId: string | undefined;
    try {
      lastEventId = await following;
    } catch (error) {
      if (!(error instanceof GatewayUnreachableError)) throw error;
      io.stderr.write(`podsync: ${error.message}; retrying\n`);
    }
    if (io.signal.aborted) return;
    await sleep(RECONNECT_MS, undefined, { signal: io.signal }).catch(() => undefined);
    if (io.signal.aborted) return;
    following = readEventStream({ ...stream, ...(lastEventId === undefined ? {} : { lastEventId }) }).catch((error: unknown) => {
      throw error instanceof TypeError ? new GatewayUnreachableError(context.url, error) : error;
    });
  }
}

async function history(context: CliContext, options: TailOperationsOptions): Promise<Row[]> {
  const page = await fetchOperations(context, { client: options.client, limit: options.lines });
  return page.items.reverse();
}

function printHistory(output: Output, operations: Row[]): void {
  for (const operation of operations) printEvent(output, { id: '', type: 'operation', data: operation });
}

/** One line per event for people; one JSON object per line for scripts. */
function printEvent(output: Output, event: StreamEvent): void {
  if (output.format !== 'table') {
    output.streamed(event.id === '' ? { type: event.type, data: event.data } : event);
    return;
  }
  const data = event.data as Row;
  switch (event.type) {
    case 'operation': {
      const colour = data.result === 'ok' ? 'green' : 'red';
      const error = data.error === undefined || data.error === null ? '' : ` ${cellText(data.error)}`;
      output.line(
        `${cellText(data.at)}  ${cellText(data.kind).padEnd(7)}  ${cellText(data.pod)}  client ${cellText(data.clientId)}  ${output.paint(cellText(data.result), colour)}${error}`,
      );
      break;
    }
    case 'pod-status':
      output.line(
        `${cellText(data.since ?? data.at)}  pod      ${cellText(data.pod ?? data.name)}  ${cellText(data.phase)} ready=${cellText(data.ready)} restarts=${cellText(data.restarts)} ${cellText(data.reason)}`,
      );
      break;
    case 'leader':
      output.line(`${cellText(data.at)}  leader   ${cellText(data.replicaId)} (epoch ${cellText(data.epoch)})`);
      break;
    case 'round':
      output.line(
        `${cellText(data.at)}  round    #${cellText(data.round)} ${cellText(data.trigger)}: planned ${cellText(data.planned)}, done ${cellText(data.done)}, failed ${cellText(data.failed)}${data.guarded === true ? ', guarded' : ''}`,
      );
      break;
  }
}

export const tailOperationsCommand = (io: CliIo) =>
  defineCommand(io, 'tail', tailOperations)
    .description('The latest operations; with -f, follow the live event stream until interrupted')
    .option('-f, --follow', 'keep printing new events as they happen (Ctrl-C to stop)')
    .option('-n, --lines <n>', 'how many past operations to show first', positiveInteger, 10)
    .option('--client <id>', "only this client's events", positiveInteger)
    .addOption(
      new Option('--types <types>', `with -f, the event types to follow: ${EVENT_TYPES.join(', ')}`).argParser((value) =>
        eventTypes(value),
      ),
    )
    .addHelpText(
      'after',
      examples(
        'podsync ops tail',
        'podsync ops tail -f',
        'podsync ops tail -f --types operation,round,leader',
        'podsync ops tail -f -o json | jq .data.pod',
      ),
    );

function eventTypes(value: string): StreamEventType[] {
  const types = value.split(',').map((type) => type.trim());
  for (const type of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      throw new InvalidArgumentError(`unknown event type "${type}"; expected a comma list of ${EVENT_TYPES.join(', ')}`);
    }
  }
  return types as StreamEventType[];
}
