import { createHash } from 'node:crypto';
import { Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import {
  type Client,
  type ClientBody,
  type ClientDetails,
  type Config,
  EVENT_SUBJECTS,
  type Page,
  type PageQuery,
} from '@podsync/domain';
import {
  appendOutbox,
  type Database,
  deleteClient,
  findClientDetails,
  findIdempotencyKey,
  insertClientWithEvent,
  listClients,
  replaceClient,
  saveIdempotencyKey,
  sqlState,
  UNIQUE_VIOLATION,
} from '@podsync/db';
import { CONFIG, DATABASE, OkMessage } from '@podsync/platform';
import { toClientPodView } from '../pods/pod.view';
import { toClientView } from './client.view';

export class ClientNotFoundException extends NotFoundException {
  constructor(id: number) {
    super(`client ${id} not found`);
  }
}

export interface CreatedClient {
  client: Client;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

@Injectable()
export class ClientsService {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(body: ClientBody, idempotencyKey: string | undefined): Promise<CreatedClient> {
    if (idempotencyKey === undefined) return { client: await this.insert(body), replayed: false };
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    try {
      return await this.createOnce(body, idempotencyKey, requestHash);
    } catch (error) {
      // A concurrent request with the same key committed first: answer as it did.
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      return await this.createOnce(body, idempotencyKey, requestHash);
    }
  }

  async list(page: PageQuery): Promise<Page<Client>> {
    const rows = await listClients(this.database.db, page.cursor, page.limit + 1);
    const items = rows.slice(0, page.limit).map(toClientView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > page.limit && last !== undefined ? String(last.id) : null };
  }

  async get(id: number): Promise<ClientDetails> {
    const details = await findClientDetails(this.database.db, id);
    if (details === undefined) throw new ClientNotFoundException(id);
    return {
      ...toClientView(details.client),
      algorithms: this.config.algorithms.flags(details.enabled),
      pods: details.pods.map(toClientPodView),
    };
  }

  async update(id: number, body: ClientBody): Promise<OkMessage> {
    await this.database.db.transaction(async (tx) => {
      const row = await replaceClient(tx, id, body);
      if (row === undefined) throw new ClientNotFoundException(id);
      await appendOutbox(tx, EVENT_SUBJECTS.clientUpdated, id, toClientView(row));
    });
    return new OkMessage('client updated successfully');
  }

  async remove(id: number): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const row = await deleteClient(tx, id);
      if (row === undefined) throw new ClientNotFoundException(id);
      await appendOutbox(tx, EVENT_SUBJECTS.clientDeleted, id, { id });
    });
  }

  private async insert(body: ClientBody): Promise<Client> {
    return toClientView(await insertClientWithEvent(this.database.db, body));
  }

  private async createOnce(body: ClientBody, key: string, requestHash: string): Promise<CreatedClient> {
    return this.database.db.transaction(async (tx) => {
      const earlier = await findIdempotencyKey(tx, key);
      if (earlier !== undefined) {
        if (earlier.requestHash !== requestHash) {
          throw new UnprocessableEntityException('this Idempotency-Key was already used with a different body');
        }
        return { client: earlier.response as Client, replayed: true };
      }
      const client = toClientView(await insertClientWithEvent(tx, body));
      await saveIdempotencyKey(tx, { key, requestHash, statusCode: 201, response: client });
      return { client, replayed: false };
    });
  }
}
