import { connect } from 'node:net';
import { TEST_SERVERS } from './support/servers';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The integration suites need the real servers: fail the run up front, saying how to start them. */
export default async function checkServers(): Promise<void> {
  const missing: string[] = [];
  for (const [name, server] of Object.entries(TEST_SERVERS)) {
    if (!(await reachable(server.url))) missing.push(`${name} is not reachable at ${server.url}; start it with: ${server.start}`);
  }
  if (missing.length > 0) throw new Error(`the tests need PostgreSQL, Redis and NATS:\n  ${missing.join('\n  ')}`);
}
