export * from './event-id';
export * from './event-message';
export * from './leader-message';
export * from './ops-message';
export * from './pod-status-message';
export * from './round-message';
export * from './subjects';
export * from './trace-carrier';
