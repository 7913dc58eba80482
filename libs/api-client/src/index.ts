export * from './api-client';
export * from './envelope';
export type { components, operations, paths } from './api-types';
