import { Inject, Injectable } from '@nestjs/common';
import type { OperationsQuery, OpsMessage, Page } from '@podsync/domain';
import { type Database, listOperations, operationMessage } from '@podsync/db';
import { DATABASE } from '@podsync/platform';

@Injectable()
export class OperationsService {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async list(query: OperationsQuery): Promise<Page<OpsMessage>> {
    const rows = await listOperations(this.database.db, {
      clientId: query.clientId,
      beforeId: query.cursor,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(operationMessage);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last !== undefined ? String(last.id) : null };
  }
}
