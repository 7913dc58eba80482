import { v7 as uuidv7 } from 'uuid';

/**
 * A new event id: a UUIDv7, unique beyond this database. It is the JetStream message id, so a
 * database restored from a backup or a second installation on the same NATS server, whose row
 * ids repeat, never has its messages dropped as duplicates. Version 7 starts with the time, so
 * ids sort roughly by creation and index well.
 */
export function newEventId(): string {
  return uuidv7();
}
