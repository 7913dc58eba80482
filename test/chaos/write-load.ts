import type postgres from 'postgres';
import type { GatewayProcess } from '../support/gateway-process';
import type { HttpAnswer } from '../support/http-request';

interface ClientFields {
  name: string;
  version: number;
  image: string;
  cpu: string;
  mem: string;
  priority: number;
}

/** What the load believes the database holds for one client: the effect of its last acknowledged write. */
interface ModelClient {
  id: number;
  fields: ClientFields;
  algorithms: Record<string, boolean>;
  deleted: boolean;
  /** A write to it failed without a clear answer, so its state is unknown and it is left out of the check. */
  uncertain: boolean;
  /** A write to it is in flight: one at a time per client, so the last acknowledged one decides. */
  busy: boolean;
}

export interface WriteTally {
  sent: number;
  /** Answered 2xx. */
  acknowledged: number;
  /** Answered otherwise, or not at all. */
  failed: number;
  /** The first few failures, for the report. */
  failures: string[];
}

export interface WriteLoadSettings {
  writesPerSecond: number;
  /** The algorithm catalogue the gateway runs with. */
  algorithms: readonly string[];
  /** Clients kept alive at most (default 40), so the fleet stays the size of a test. */
  maxClients?: number;
  /** Writes in flight at most (default 8); a tick that finds no room is skipped. */
  maxInFlight?: number;
}

export interface RunOptions {
  /** Stop after this long. */
  durationMs?: number;
  /** Stop after this many writes were sent. */
  writes?: number;
  signal?: AbortSignal;
}

type SentWrite = { ok: true; answer: HttpAnswer } | { ok: false; status: number | undefined };

const FAILURES_KEPT = 10;
const MIN_CLIENTS = 3;

/**
 * Mixed writes through the gateway at a bounded rate: clients created, updated and deleted,
 * algorithms switched, restarts asked for. It keeps a model of what every acknowledged write left
 * in the database, so that a lost write shows as a difference from the database afterwards.
 */
export class WriteLoad {
  readonly tally: WriteTally = {
    sent: 0,
    acknowledged: 0,
    failed: 0,
    failures: [],
  };
  private readonly clients = new Map<number, ModelClient>();
  private readonly inFlight = new Set<Promise<void>>();
  private created = 0;

  constructor(
    private readonly gateway: GatewayProcess,
    private readonly settings: WriteLoadSettings,
  ) {}

  /** Writes until the duration, the number of writes or the signal says stop; then waits for those in flight. */
  async run(options: RunOptions): Promise<void> {
    const intervalMs = 1_000 / this.settings.writesPerSecond;
    const startedAt = performance.now();
    let nextAt = startedAt;
    while (
      !(options.signal?.aborted ?? false) &&
      (options.writes === undefined || this.tally.sent < options.writes) &&
      (options.durationMs === undefined || performance.now() - startedAt < options.durationMs)
    ) {
      if (this.inFlight.size < (this.settings.maxInFlight ?? 8)) this.startWrite();
      nextAt += intervalMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextAt - performance.now())));
    }
    await Promise.all(this.inFlight);
  }

  /**
   * The acknowledged writes the database does not reflect, one line each. A client whose last
   * write went unanswered is left out: either outcome would be correct for it.
   */
  async lostWrites(sql: postgres.Sql): Promise<string[]> {
    const rows = await sql<(ClientFields & { id: number })[]>`
      select id::float8 as id, name, version, image, cpu, mem, priority from clients`;
    const flags = await sql<{ id: number; algorithm: string; enabled: boolean }[]>`
      select client_id::float8 as id, algorithm, enabled from client_algorithms`;
    const stored = new Map(rows.map((row) => [row.id, row]));
    const enabled = new Set(flags.filter((flag) => flag.enabled).map((flag) => `${flag.id}/${flag.algorithm}`));
    const lost: string[] = [];
    for (const client of this.clients.values()) {
      if (client.uncertain) continue;
      const row = stored.get(client.id);
      if (client.deleted) {
        if (row !== undefined) lost.push(`client ${client.id} was deleted (204) but is still in the database`);
        continue;
      }
      if (row === undefined) {
        lost.push(`client ${client.id} was created (201) but is not in the database`);
        continue;
      }
      for (const field of Object.keys(client.fields) as (keyof ClientFields)[]) {
        if (row[field] !== client.fields[field])
          lost.push(
            `client ${client.id}: ${field} is ${row[field]} in the database, the last acknowledged write set ${client.fields[field]}`,
          );
      }
      for (const [algorithm, on] of Object.entries(client.algorithms)) {
        if (enabled.has(`${client.id}/${algorithm}`) !== on)
          lost.push(
            `client ${client.id}: ${algorithm} is ${on ? 'off' : 'on'} in the database, the last acknowledged write set it ${on ? 'on' : 'off'}`,
          );
      }
    }
    return lost;
  }

  private startWrite(): void {
    const write = this.nextWrite()
      .catch((error: unknown) => this.failed(`unexpected: ${String(error)}`))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private nextWrite(): Promise<void> {
    const live = [...this.clients.values()].filter((client) => !client.deleted && !client.uncertain);
    const idle = live.filter((client) => !client.busy);
    const roll = Math.random();
    const room = live.length < (this.settings.maxClients ?? 40);
    const client = idle[Math.floor(Math.random() * idle.length)];
    if (client === undefined || live.length < MIN_CLIENTS || (roll < 0.15 && room)) {
      return room ? this.create() : Promise.resolve();
    }
    if (roll < 0.55) return this.setStatus(client, false);
    if (roll < 0.65) return this.setStatus(client, true);
    if (roll < 0.9) return this.update(client);
    return this.remove(client);
  }

  private async create(): Promise<void> {
    this.created += 1;
    const fields: ClientFields = {
      name: `load-${this.created}`,
      version: 1,
      image: `registry.example.com/algo:1.${this.created % 5}`,
      cpu: '100m',
      mem: '64Mi',
      priority: this.created % 7,
    };
    const sent = await this.send('POST', '/api/v1/clients', fields);
    if (!sent.ok) return;
    const id: number = sent.answer.body.data.id;
    const algorithms = Object.fromEntries(this.settings.algorithms.map((algorithm) => [algorithm, false]));
    this.clients.set(id, { id, fields, algorithms, deleted: false, uncertain: false, busy: false });
  }

  private async setStatus(client: ModelClient, restart: boolean): Promise<void> {
    // Each algorithm is named with chance 0.6 and switched on more often than off, so pods accumulate;
    // the body must name one at least, so one drawn at random stands in for an empty draw.
    const { algorithms } = this.settings;
    const flags: Record<string, boolean> = {};
    for (const algorithm of algorithms) {
      if (Math.random() < 0.6) flags[algorithm] = Math.random() < 0.6;
    }
    const fallback = algorithms[Math.floor(Math.random() * algorithms.length)];
    if (Object.keys(flags).length === 0 && fallback !== undefined) flags[fallback] = Math.random() < 0.6;
    const query = restart ? '?need_restart=true' : '';
    await this.onClient(client, 'PUT', `/api/v1/status/${client.id}${query}`, flags, () =>
      Object.assign(client.algorithms, flags),
    );
  }

  private async update(client: ModelClient): Promise<void> {
    const fields: ClientFields = {
      ...client.fields,
      version: client.fields.version + 1,
      image: `registry.example.com/algo:${client.fields.version + 1}.0`,
    };
    await this.onClient(client, 'PUT', `/api/v1/clients/${client.id}`, fields, () => {
      client.fields = fields;
    });
  }

  private async remove(client: ModelClient): Promise<void> {
    await this.onClient(client, 'DELETE', `/api/v1/clients/${client.id}`, undefined, () => {
      client.deleted = true;
    });
  }

  /** One write to an existing client, applied to the model only once acknowledged. */
  private async onClient(
    client: ModelClient,
    method: string,
    path: string,
    body: unknown,
    acknowledged: () => void,
  ): Promise<void> {
    client.busy = true;
    try {
      const sent = await this.send(method, path, body);
      if (sent.ok) acknowledged();
      // A 4xx wrote nothing; a 5xx or no answer at all may have written, or not.
      else client.uncertain ||= sent.status === undefined || sent.status >= 500;
    } finally {
      client.busy = false;
    }
  }

  /** Counts the write and its outcome; a failure is one that got no 2xx (status undefined: no answer at all). */
  private async send(method: string, path: string, body: unknown): Promise<SentWrite> {
    this.tally.sent += 1;
    let answer: HttpAnswer;
    try {
      answer = await this.gateway.request(method, path, body === undefined ? {} : { json: body });
    } catch (error) {
      this.failed(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, status: undefined };
    }
    if (answer.status >= 200 && answer.status < 300) {
      this.tally.acknowledged += 1;
      return { ok: true, answer };
    }
    this.failed(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 200)}`);
    return { ok: false, status: answer.status };
  }

  private failed(description: string): void {
    this.tally.failed += 1;
    if (this.tally.failures.length < FAILURES_KEPT) this.tally.failures.push(description);
  }
}
