/**
 * Generated from the gateway's OpenAPI document by `npm run api:generate`; do not edit.
 * apps/gateway/src/openapi/api-client-files.spec.ts fails when this file is out of date.
 */

export interface paths {
  '/api/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: answers while the process runs, whatever its dependencies */
    get: operations['HealthController_health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: 503 while the database (or NATS, in cluster mode) is unreachable */
    get: operations['HealthController_ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/clients': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List clients, keyset-paginated by id */
    get: operations['ClientsController_list'];
    put?: never;
    /** Register a client */
    post: operations['ClientsController_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/clients/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A client with its algorithms and running pods */
    get: operations['ClientsController_get'];
    /** Replace the client fields; its pods are recreated with the new spec */
    put: operations['ClientsController_update'];
    post?: never;
    /** Delete a client; the reconciler deletes its pods */
    delete: operations['ClientsController_remove'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/status/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A client's algorithm flags and pending restart */
    get: operations['StatusController_get'];
    /** Switch algorithms on or off; keys left out keep their value */
    put: operations['StatusController_update'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/operations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Audit history of pod operations, newest first */
    get: operations['OperationsController_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/pods': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every managed pod with its health, keyset-paginated by name; ready=false lists the unhealthy */
    get: operations['PodsController_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/log-level': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Change this process's log level; X-Log-Level on a request raises it for that request alone */
    put: operations['LogLevelController_update'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/cluster': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The leader, the replicas, the last round, paused, guarded and the pods by health */
    get: operations['ClusterController_view'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sync': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Ask the leader for a full round now; force=true also lifts the mass-deletion guard for it */
    post: operations['SyncController_sync'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sync/rounds': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The latest sync rounds, newest first */
    get: operations['SyncController_rounds'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sync/plan': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Dry run: the operations a full round would do now */
    get: operations['SyncController_plan'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sync/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Maintenance: rounds plan but do not act until resumed */
    post: operations['SyncController_pause'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sync/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** End maintenance: rounds act again */
    post: operations['SyncController_resume'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/events/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Server-Sent Events: pod operations, pod status changes, leader changes and finished rounds. Each event has an id; reconnecting with Last-Event-ID resumes after it. A `: ping` comment comes every 15 s. */
    get: operations['EventsController_stream'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  HealthController_health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  HealthController_ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "info": {
           *         "database": {
           *           "status": "up"
           *         }
           *       },
           *       "error": {},
           *       "details": {
           *         "database": {
           *           "status": "up"
           *         }
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClientsController_list: {
    parameters: {
      query?: {
        limit?: string;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "items": [
           *           {
           *             "id": 168317,
           *             "name": "acme",
           *             "version": 3,
           *             "image": "registry.example.com/algo:3.1",
           *             "cpu": "500m",
           *             "mem": "256Mi",
           *             "priority": 10,
           *             "needRestart": false,
           *             "spawnedAt": "2026-11-22T09:30:02.113Z",
           *             "createdAt": "2026-11-20T08:00:00.000Z",
           *             "updatedAt": "2026-11-22T09:30:01.870Z"
           *           }
           *         ],
           *         "nextCursor": "168317"
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClientsController_create: {
    parameters: {
      query?: never;
      header?: {
        /** @description a retry with the same key and body returns the first answer */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          version: number;
          image: string;
          cpu: string;
          mem: string;
          /** @default 0 */
          priority?: number;
        };
      };
    };
    responses: {
      /** @description the client, with a Location header */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "id": 168317,
           *         "name": "acme",
           *         "version": 3,
           *         "image": "registry.example.com/algo:3.1",
           *         "cpu": "500m",
           *         "mem": "256Mi",
           *         "priority": 10,
           *         "needRestart": false,
           *         "spawnedAt": "2026-11-22T09:30:02.113Z",
           *         "createdAt": "2026-11-20T08:00:00.000Z",
           *         "updatedAt": "2026-11-22T09:30:01.870Z"
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "invalid request body: version: version must be 0 or more",
           *       "errors": [
           *         {
           *           "path": "version",
           *           "message": "version must be 0 or more"
           *         }
           *       ]
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClientsController_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "id": 168317,
           *         "name": "acme",
           *         "version": 3,
           *         "image": "registry.example.com/algo:3.1",
           *         "cpu": "500m",
           *         "mem": "256Mi",
           *         "priority": 10,
           *         "needRestart": false,
           *         "spawnedAt": "2026-11-22T09:30:02.113Z",
           *         "createdAt": "2026-11-20T08:00:00.000Z",
           *         "updatedAt": "2026-11-22T09:30:01.870Z",
           *         "algorithms": {
           *           "VWAP": true,
           *           "TWAP": true,
           *           "HFT": false
           *         },
           *         "pods": [
           *           {
           *             "name": "twap-168317",
           *             "algorithm": "TWAP",
           *             "phase": "Running",
           *             "ready": false,
           *             "restarts": 4,
           *             "reason": "CrashLoopBackOff",
           *             "since": "2026-11-22T09:31:40.007Z"
           *           },
           *           {
           *             "name": "vwap-168317",
           *             "algorithm": "VWAP",
           *             "phase": "Running",
           *             "ready": true,
           *             "restarts": 0,
           *             "reason": null,
           *             "since": "2026-11-22T09:30:09.402Z"
           *           }
           *         ]
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "client 168317 not found"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClientsController_update: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          version: number;
          image: string;
          cpu: string;
          mem: string;
          /** @default 0 */
          priority?: number;
        };
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "message": "client updated successfully"
           *     }
           */
          'application/json': unknown;
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "client 168317 not found"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClientsController_remove: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "client 168317 not found"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  StatusController_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "algorithms": {
           *           "VWAP": true,
           *           "TWAP": false,
           *           "HFT": false
           *         },
           *         "needRestart": false
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "client 168317 not found"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  StatusController_update: {
    parameters: {
      query?: {
        /** @description true recreates each running pod once */
        need_restart?: 'true' | 'false';
      };
      header?: never;
      path: {
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          [key: string]: boolean;
        };
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "message": "status updated successfully"
           *     }
           */
          'application/json': unknown;
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "invalid request body: version: version must be 0 or more",
           *       "errors": [
           *         {
           *           "path": "version",
           *           "message": "version must be 0 or more"
           *         }
           *       ]
           *     }
           */
          'application/json': unknown;
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "client 168317 not found"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  OperationsController_list: {
    parameters: {
      query?: {
        limit?: string;
        cursor?: string;
        clientId?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "items": [
           *           {
           *             "id": 9001,
           *             "epoch": 7,
           *             "round": 42,
           *             "replicaId": "podsync-reconciler-1",
           *             "kind": "create",
           *             "pod": "vwap-168317",
           *             "clientId": 168317,
           *             "algorithm": "VWAP",
           *             "result": "ok",
           *             "at": "2026-11-22T09:30:02.101Z"
           *           }
           *         ],
           *         "nextCursor": null
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  PodsController_list: {
    parameters: {
      query?: {
        limit?: string;
        cursor?: string;
        clientId?: string;
        algorithm?: string;
        phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
        ready?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "items": [
           *           {
           *             "name": "twap-168317",
           *             "clientId": 168317,
           *             "algorithm": "TWAP",
           *             "phase": "Running",
           *             "ready": false,
           *             "restarts": 4,
           *             "reason": "CrashLoopBackOff",
           *             "message": "back-off 1m20s restarting failed container=algo pod=twap-168317_default",
           *             "node": "worker-1",
           *             "since": "2026-11-22T09:31:40.007Z",
           *             "observedAt": "2026-11-22T09:33:02.551Z"
           *           },
           *           {
           *             "name": "vwap-168317",
           *             "clientId": 168317,
           *             "algorithm": "VWAP",
           *             "phase": "Running",
           *             "ready": true,
           *             "restarts": 0,
           *             "reason": null,
           *             "message": null,
           *             "node": "worker-3",
           *             "since": "2026-11-22T09:30:09.402Z",
           *             "observedAt": "2026-11-22T09:30:09.415Z"
           *           }
           *         ],
           *         "nextCursor": null
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "invalid request query: phase: phase must be one of Pending, Running, Succeeded, Failed, Unknown",
           *       "errors": [
           *         {
           *           "path": "phase",
           *           "message": "phase must be one of Pending, Running, Succeeded, Failed, Unknown"
           *         }
           *       ]
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  LogLevelController_update: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
        };
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "message": "log level set to debug"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  ClusterController_view: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "leader": {
           *           "replicaId": "podsync-reconciler-1",
           *           "epoch": 7,
           *           "since": "2026-11-22T08:00:00.000Z"
           *         },
           *         "replicas": [
           *           {
           *             "replicaId": "podsync-reconciler-1",
           *             "role": "leader",
           *             "lastSeen": "2026-11-22T09:31:00.000Z"
           *           },
           *           {
           *             "replicaId": "podsync-reconciler-2",
           *             "role": "follower",
           *             "lastSeen": "2026-11-22T09:30:59.500Z"
           *           }
           *         ],
           *         "lastRound": {
           *           "id": 42,
           *           "epoch": 7,
           *           "replicaId": "podsync-reconciler-1",
           *           "trigger": "event",
           *           "scope": [
           *             168317
           *           ],
           *           "startedAt": "2026-11-22T09:30:01.950Z",
           *           "finishedAt": "2026-11-22T09:30:02.120Z",
           *           "planned": 1,
           *           "done": 1,
           *           "failed": 0,
           *           "guarded": false,
           *           "paused": false,
           *           "error": null
           *         },
           *         "paused": false,
           *         "guarded": false,
           *         "pods": {
           *           "desired": 2,
           *           "running": 2,
           *           "ready": 1,
           *           "pending": 0,
           *           "failed": 0
           *         }
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  SyncController_sync: {
    parameters: {
      query?: {
        force?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "accepted": true,
           *         "force": false,
           *         "replicaId": "podsync-reconciler-1",
           *         "epoch": 7
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "no leader answered within 2 s; a replica may be taking over, retry shortly"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  SyncController_rounds: {
    parameters: {
      query?: {
        limit?: string;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "items": [
           *           {
           *             "id": 42,
           *             "epoch": 7,
           *             "replicaId": "podsync-reconciler-1",
           *             "trigger": "event",
           *             "scope": [
           *               168317
           *             ],
           *             "startedAt": "2026-11-22T09:30:01.950Z",
           *             "finishedAt": "2026-11-22T09:30:02.120Z",
           *             "planned": 1,
           *             "done": 1,
           *             "failed": 0,
           *             "guarded": false,
           *             "paused": false,
           *             "error": null
           *           }
           *         ],
           *         "nextCursor": null
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  SyncController_plan: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "operations": [
           *           {
           *             "kind": "create",
           *             "pod": "twap-168317",
           *             "clientId": 168317,
           *             "algorithm": "TWAP"
           *           }
           *         ],
           *         "deletes": 0,
           *         "running": 1,
           *         "guarded": false,
           *         "paused": false
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "no leader answered within 2 s; a replica may be taking over, retry shortly"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  SyncController_pause: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "paused": true
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "no leader answered within 2 s; a replica may be taking over, retry shortly"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  SyncController_resume: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "ok",
           *       "data": {
           *         "paused": false
           *       }
           *     }
           */
          'application/json': unknown;
        };
      };
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "no leader answered within 2 s; a replica may be taking over, retry shortly"
           *     }
           */
          'application/json': unknown;
        };
      };
    };
  };
  EventsController_stream: {
    parameters: {
      query?: {
        clientId?: string;
        types?: string;
      };
      header?: {
        /** @description the id of the last event received: resume after it */
        'Last-Event-ID'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description text/event-stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example retry: 2000
           *     id: 1041-87
           *
           *     id: 1042-87
           *     event: operation
           *     data: {"id":9001,"epoch":7,"round":42,"replicaId":"podsync-reconciler-1","kind":"create","pod":"vwap-168317","clientId":168317,"algorithm":"VWAP","result":"ok","at":"2026-11-22T09:30:02.101Z"}
           *
           *     : ping
           */
          'text/event-stream': unknown;
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "error",
           *       "message": "invalid request query: types: unknown event type \"ops\"; types must be a comma-separated list of operation, pod-status, leader, round",
           *       "errors": [
           *         {
           *           "path": "types",
           *           "message": "unknown event type \"ops\"; types must be a comma-separated list of operation, pod-status, leader, round"
           *         }
           *       ]
           *     }
           */
          'text/event-stream': unknown;
        };
      };
    };
  };
}
