#!/usr/bin/env node
import { runCli } from './run-cli';

// Ctrl-C ends a command that follows the event stream cleanly, with exit code 0.
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort());

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupted.signal,
}).then((code) => {
  process.exitCode = code;
  // Nothing is left to do: do not wait for idle keep-alive sockets.
  process.exit();
});
