export * from './bus.errors';
export * from './embedded-event-bus';
export * from './event-bus';
export * from './nats-event-bus';
export * from './open-event-bus';
export * from './streams';
export * from './cluster-rpc';
