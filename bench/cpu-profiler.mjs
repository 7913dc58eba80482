// Preloaded into the gateway by `BENCH_PROFILE=1 npm run bench:gateway` (node --import). Over the IPC
// channel the benchmark opens, {profile:'start'} starts the V8 sampling profiler and {profile:'stop',
// path} stops it and writes the profile there, so that each phase gets a profile of its own.
// (Not a signal: the gateway's shutdown hooks take SIGUSR2 as well as SIGTERM.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';

if (process.send !== undefined) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const reply = (message) => process.send?.(message);

  await post('Profiler.enable');
  // 500 µs: fine enough for requests that take a few hundred microseconds of CPU each.
  await post('Profiler.setSamplingInterval', { interval: 500 });
  process.on('message', (message) => {
    const command = message?.profile;
    const done =
      command === 'start'
        ? post('Profiler.start').then(() => reply({ profile: 'started' }))
        : command === 'stop'
          ? post('Profiler.stop').then(({ profile }) => {
              writeFileSync(message.path, JSON.stringify(profile));
              reply({ profile: 'written', path: message.path });
            })
          : Promise.resolve();
    done.catch((error) => reply({ profile: 'failed', error: String(error) }));
  });
  // The channel must not keep the gateway alive once it shuts down.
  process.channel?.unref();
}
