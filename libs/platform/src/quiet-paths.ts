/** Probes and scrapes arrive every few seconds and say nothing worth a log line or a trace. */
export const QUIET_PATHS = /^\/(api\/)?(health|ready)(\?|$)|^\/metrics(\?|$)/;
