import { Inject, Injectable } from '@nestjs/common';
import { type ClientStatus, type Config, EVENT_SUBJECTS, type StatusBody } from '@podsync/domain';
import {
  appendOutbox,
  type Database,
  enabledAlgorithms,
  findClientDetails,
  setAlgorithmFlags,
  touchClientStatus,
} from '@podsync/db';
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
      // Updating the client row first locks it, so concurrent status changes of one client queue up.
      const row = await touchClientStatus(tx, id, needRestart);
      if (row === undefined) throw new ClientNotFoundException(id);
      await setAlgorithmFlags(tx, id, flags);
      const status: ClientStatus = {
        algorithms: this.config.algorithms.flags(await enabledAlgorithms(tx, id)),
        needRestart: row.needRestart,
      };
      await appendOutbox(tx, EVENT_SUBJECTS.statusUpdated, id, { clientId: id, ...status });
    });
    return new OkMessage('status updated successfully');
  }

  async get(id: number): Promise<ClientStatus> {
    const details = await findClientDetails(this.database.db, id);
    if (details === undefined) throw new ClientNotFoundException(id);
    return { algorithms: this.config.algorithms.flags(details.enabled), needRestart: details.client.needRestart };
  }
}
