export * from './api-client';
export * from './envelope';
export * from './event-stream';
export * from './sse-parser';
export type { components, operations, paths } from './api-types';
