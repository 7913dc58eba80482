/** The requests the benchmark measures; `health` touches no database and shows the framework's own cost. */
export const REQUEST_KINDS = ['create', 'status', 'read', 'health'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_LABELS: Record<RequestKind, string> = {
  create: 'POST /api/v1/clients',
  status: 'PUT /api/v1/status/{id}',
  read: 'GET /api/v1/clients/{id}',
  health: 'GET /api/health',
};

export interface GatewayRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body: string | undefined;
}

export interface IdRange {
  firstId: number;
  lastId: number;
}

let created = 0;

/** A request of `kind` aimed at a random client of `ids` (create: a new client). */
export function gatewayRequest(kind: RequestKind, ids: IdRange): GatewayRequest {
  const id = ids.firstId + Math.floor(Math.random() * (ids.lastId - ids.firstId + 1));
  switch (kind) {
    case 'create':
      created += 1;
      return {
        method: 'POST',
        path: '/api/v1/clients',
        body: JSON.stringify({
          name: `bench-${created}`,
          version: 1,
          image: 'registry.example.com/algo:1.0',
          cpu: '500m',
          mem: '256Mi',
          priority: 5,
        }),
      };
    case 'status':
      return { method: 'PUT', path: `/api/v1/status/${id}`, body: JSON.stringify({ VWAP: Math.random() < 0.5 }) };
    case 'read':
      return { method: 'GET', path: `/api/v1/clients/${id}`, body: undefined };
    case 'health':
      return { method: 'GET', path: '/api/health', body: undefined };
  }
}

export function requestHeaders(token: string, request: GatewayRequest): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
  };
}
