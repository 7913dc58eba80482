export * from './load-environment';
export * from './logger.options';
export * from './loggers';
export * from './metrics.registry';
export * from './platform.module';
export * from './readiness.service';
export * from './tokens';
export * from './run-process';
