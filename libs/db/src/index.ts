export * from './clients.repository';
export * from './database';
export * from './errors';
export * from './idempotency.repository';
export * from './open-database';
export * from './operations.repository';
export * from './outbox.repository';
export * from './schema';
