import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { type Database, purgeIdempotencyKeys } from '@podsync/db';
import { DATABASE } from '@podsync/platform';

const HOUR_MS = 3_600_000;

/** Forgets Idempotency-Keys older than 24 hours; lookups already ignore them, this keeps the table small. */
@Injectable()
export class IdempotencyPurgeService {
  private readonly logger = new Logger(IdempotencyPurgeService.name);

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  @Interval(HOUR_MS)
  async purge(): Promise<void> {
    try {
      const purged = await purgeIdempotencyKeys(this.database.db);
      if (purged > 0) this.logger.log(`purged ${purged} expired idempotency keys`);
    } catch (error) {
      this.logger.warn(`idempotency key purge failed, retrying in an hour: ${String(error)}`);
    }
  }
}
