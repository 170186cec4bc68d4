/**
 * Preloaded (`node -r`) into a city node when the bench profiles: the first
 * SIGURG starts V8's CPU profiler, the second stops it and writes the profile
 * to $BENCH_CPU_PROFILE (Chrome DevTools .cpuprofile format). Unlike
 * --cpu-prof this covers exactly the measured window, and it does not depend on
 * a clean exit: Nest's shutdown hook re-raises SIGTERM, and a process that dies
 * of a signal never writes its --cpu-prof file.
 *
 * Why SIGURG: it is ignored by default and nothing in the node uses it. Not
 * SIGUSR2 (Nest's enableShutdownHooks() shuts the app down on it), not SIGUSR1
 * (Node opens the inspector port on it), not SIGPROF (V8's sampler).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const target = process.env.BENCH_CPU_PROFILE;

if (target) {
  const session = new Session();
  session.connect();
  let running = false;
  const fail = (what: string, err: Error | null) => {
    if (err) console.error(`bench cpu profile: ${what}: ${err.message}`);
    return err !== null;
  };
  process.on('SIGURG', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', (err) => {
        if (fail('enable', err)) return;
        // 1 ms, as --cpu-prof: fine enough for per-message costs of ~100 µs over thousands of messages
        session.post('Profiler.setSamplingInterval', { interval: 1000 }, (err2) => {
          if (fail('interval', err2)) return;
          session.post('Profiler.start', (err3) => void fail('start', err3));
        });
      });
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (fail('stop', err)) return;
      // write then rename, so the harness never reads half a file
      writeFileSync(`${target}.tmp`, JSON.stringify(result.profile));
      renameSync(`${target}.tmp`, target);
    });
  });
}
