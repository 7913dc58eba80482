import { Inject, Injectable } from '@nestjs/common';
import { type ClientStatus, type Config, type StatusBody } from '@podsync/domain';
import { appendStatusEvent, changeClientStatus, type Database, findClientDetails } from '@podsync/db';
import { CONFIG, DATABASE, OkMessage } from '@podsync/platform';
import { ClientNotFoundException } from '../clients/clients.service';

@Injectable()
export class StatusService {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Switches the named algorithms; `needRestart` true asks for each running pod to be recreated once. */
  async update(id: number, flags: StatusBody, needRestart: boolean | undefined): Promise<OkMessage> {
    await this.database.db.transaction(async (tx) => {
      // Sent together: postgres.js pipelines them on the transaction's connection, and the server
      // runs them in order. The change locks the client row first, so concurrent status changes
      // of one client queue up; the event, a statement of its own, then reads the status they
      // left. Without the client neither writes anything.
      const [changed] = await Promise.all([
        changeClientStatus(tx, id, flags, needRestart),
        appendStatusEvent(tx, id, this.config.algorithms.names),
      ]);
      if (changed === undefined) throw new ClientNotFoundException(id);
    });
    return new OkMessage('status updated successfully');
  }

  async get(id: number): Promise<ClientStatus> {
    const details = await findClientDetails(this.database.db, id);
    if (details === undefined) throw new ClientNotFoundException(id);
    return { algorithms: this.config.algorithms.flags(details.enabled), needRestart: details.client.needRestart };
  }
}
