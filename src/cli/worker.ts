import { startWorker, type WorkerOptions } from '../fleet/worker.js';

/**
 * `gpukit worker`: starts a fleet worker and runs until SIGTERM or SIGINT. The first signal lets the current
 * job finish, then exits 0; a second hands the current job back to the queue at once (another worker runs
 * it) and exits 0 without waiting for the abandoned try, which never reports a result.
 */
export async function runWorker(o: WorkerOptions): Promise<number> {
  const w = await startWorker({ ...o, log: (line) => { console.log(`gpukit worker: ${line}`); } });
  let signals = 0;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      signals++;
      console.log(`gpukit worker: ${signals === 1 ? 'stopping after the current job' : 'stopping now; the current job goes back to the queue'}`);
      w.close(signals > 1).then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  if (signals > 1) {
    // The abandoned try may still hold timers or the event loop: it must not outlive the worker.
    setTimeout(() => process.exit(0), 50).unref();
  }
  return 0;
}
