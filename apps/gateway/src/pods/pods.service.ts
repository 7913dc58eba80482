import { Inject, Injectable } from '@nestjs/common';
import type { Page, PodsQuery, PodView } from '@podsync/domain';
import { type Database, listPods } from '@podsync/db';
import { DATABASE } from '@podsync/platform';
import { toPodView } from './pod.view';

/** The observed pods, read from the pods table the leader keeps: the gateway never asks the deployer. */
@Injectable()
export class PodsService {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async list(query: PodsQuery): Promise<Page<PodView>> {
    const rows = await listPods(this.database.db, {
      clientId: query.clientId,
      algorithm: query.algorithm,
      phase: query.phase,
      ready: query.ready,
      afterName: query.cursor,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(toPodView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last !== undefined ? last.name : null };
  }
}
