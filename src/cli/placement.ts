import { formatRegret, placementBench, type PlacementBenchOptions } from '../placement/regret.js';

/**
 * `gpukit bench --placement`: runs each op placed, always on the CPU and always on the GPU, and prints the
 * regret table (progress on stderr when it is a terminal, or with `--progress`).
 */
export async function placementCommand(o: Omit<PlacementBenchOptions, 'onProgress'> & { readonly progress?: boolean }): Promise<number> {
  const show = o.progress ?? process.stderr.isTTY;
  const bar = { drawn: false };
  try {
    const r = await placementBench({
      ...o,
      ...(show ? { onProgress: (label: string) => { bar.drawn = true; process.stderr.write(`\r${label}`.padEnd(80).slice(0, 80)); } } : {}),
    });
    if (bar.drawn) process.stderr.write('\r' + ' '.repeat(80) + '\r');
    bar.drawn = false;
    console.log(formatRegret(r));
    return 0;
  } finally {
    if (bar.drawn) process.stderr.write('\r' + ' '.repeat(80) + '\r');
  }
}
