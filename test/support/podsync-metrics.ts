/** The metrics podsync promises operators (the operability issue); dashboards and tests check against this list. */
export const PODSYNC_METRICS = [
  'podsync_http_request_duration_seconds',
  'podsync_pod_operations_total',
  'podsync_sync_round_duration_seconds',
  'podsync_sync_round_operations',
  'podsync_pods',
  'podsync_leader',
  'podsync_leader_epoch',
  'podsync_lease_renew_failures_total',
  'podsync_delete_guard_active',
  'podsync_outbox_backlog',
  'podsync_outbox_relay_lag_seconds',
  'podsync_nats_publish_failures_total',
  'podsync_history_purged_rows_total',
  'podsync_pods_observed',
  'podsync_pod_container_restarts',
  'podsync_pod_replacements_total',
  'podsync_pod_watch_events_total',
  'podsync_pod_watch_restarts_total',
  'podsync_pod_watch_last_event_age_seconds',
] as const;

/** Those a reconciler replica's own listener serves (the HTTP histogram belongs to the gateway). */
export const RECONCILER_METRICS = PODSYNC_METRICS.filter((name) => name !== 'podsync_http_request_duration_seconds');
