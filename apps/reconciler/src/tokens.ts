/** Dependency-injection tokens of the reconciler's ports. */
export const LEADERSHIP = Symbol('podsync.leadership');
export const DEPLOYER = Symbol('podsync.deployer');
