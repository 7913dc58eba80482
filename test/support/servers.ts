/** Where the integration and cluster tests find the real servers; override with these variables. */
export const TEST_SERVERS = {
  postgres: {
    url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  },
  nats: {
    url: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    start: 'nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server &',
  },
} as const;
