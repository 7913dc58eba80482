import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Colour } from '../output';

interface PlannedOperation {
  kind: 'create' | 'delete' | 'restart';
  pod: string;
  clientId: number;
  algorithm: string;
  reason?: string;
}

interface PlanView {
  operations: PlannedOperation[];
  deletes: number;
  running: number;
  guarded: boolean;
  paused: boolean;
}

/** Each operation reads like a line of a diff. */
const MARK: Record<PlannedOperation['kind'], [sign: string, colour: Colour]> = {
  create: ['+', 'green'],
  delete: ['-', 'red'],
  restart: ['~', 'yellow'],
};

/** `podsync plan`: what the next full round would do, as a diff against the running pods. */
export async function showPlan(context: CliContext): Promise<void> {
  const { data } = await apiCall(context.url, context.client.GET('/api/v1/sync/plan'));
  const plan = data as PlanView;
  const { output } = context;
  if (output.format !== 'table') {
    output.data(plan);
    return;
  }
  for (const operation of plan.operations) {
    const [sign, colour] = MARK[operation.kind];
    const reason = operation.reason === undefined ? '' : `, ${operation.reason}`;
    output.line(
      output.paint(`${sign} ${operation.kind.padEnd(7)} ${operation.pod}  (client ${operation.clientId}${reason})`, colour),
    );
  }
  const counts = (['create', 'delete', 'restart'] as const).map(
    (kind) => `${plan.operations.filter((operation) => operation.kind === kind).length} ${kind}`,
  );
  const notes = [
    plan.paused ? output.paint('paused: the round would carry out nothing', 'yellow') : undefined,
    plan.guarded ? output.paint('guarded: its deletes would be held back (podsync sync --force)', 'red') : undefined,
  ].filter((note) => note !== undefined);
  output.line(
    `${plan.operations.length === 0 ? 'nothing to do' : counts.join(', ')}; ${plan.running} pods running${notes.map((note) => `; ${note}`).join('')}`,
  );
}

export const planCommand = (io: CliIo) =>
  defineCommand(io, 'plan', showPlan)
    .description('Dry run: the operations the next round would do (+ create, - delete, ~ restart)')
    .addHelpText('after', examples('podsync plan', 'podsync plan -o json'));
