export * from './backoff';
export * from './delete-guard';
export * from './pod-operation-runner';
export * from './sync-engine';
export * from './sync-metrics';
export * from './sync-scheduler';
export * from './token-bucket';
