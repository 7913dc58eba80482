import { describe, expect, it } from 'vitest';
import { hrefOf, routeOf } from './route';

describe('routeOf', () => {
  it('maps each page link back to its page', () => {
    expect(routeOf(hrefOf.fleet)).toEqual({ page: 'fleet' });
    expect(routeOf('')).toEqual({ page: 'fleet' });
    expect(routeOf(hrefOf.client(168317))).toEqual({ page: 'client', clientId: 168317 });
    expect(routeOf(hrefOf.cluster)).toEqual({ page: 'cluster' });
    expect(routeOf(hrefOf.events)).toEqual({ page: 'events' });
  });

  it('names anything else not found, ids that are not whole numbers included', () => {
    expect(routeOf('#/clients/abc')).toEqual({ page: 'not-found', hash: '#/clients/abc' });
    expect(routeOf('#/clients/1e9')).toEqual({ page: 'not-found', hash: '#/clients/1e9' });
    expect(routeOf('#/nowhere')).toEqual({ page: 'not-found', hash: '#/nowhere' });
  });
});
