/** Dependency-injection tokens of what every podsync process holds once. */
export const CONFIG = Symbol('podsync.config');
export const DATABASE = Symbol('podsync.database');
export const EVENT_BUS = Symbol('podsync.event-bus');
