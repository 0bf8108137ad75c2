import { tune } from '../bench/tune.js';
import { calibrate } from '../bench/calibrate.js';
import { ceilingsOf, savePlacement } from '../bench/placement-file.js';
import { describeAdapter } from '../device/info.js';
import { UsageError } from '../errors.js';
import { ensureWritableDir, saveWinners, tunables, tuneCacheDir } from '../backends/dawn/tuning.js';
import { openDevice, type OpenDeviceOptions } from '../index.js';

/**
 * `gpukit tune`: times each op's candidate parameters on this adapter and caches the winners. The op names
 * and the cache directory are checked before the device is opened; the table is printed before the cache
 * is written.
 */
export async function runTune(opts: { ops: readonly string[]; quick: boolean; verbose: boolean; open: OpenDeviceOptions }): Promise<number> {
  const known = tunables().map((t) => t.op);
  const unknown = opts.ops.filter((o) => !known.includes(o));
  if (unknown.length > 0) throw new UsageError(`unknown op ${unknown.join(', ')}; tunable ops: ${known.join(', ')}`);
  // GPUKIT_CACHE_DIR must be usable before minutes of timing are spent.
  ensureWritableDir(tuneCacheDir());
  await using device = await openDevice(opts.open);
  console.log(`tuning on ${describeAdapter(device.info)}`);
  if (device.info.isSoftware) console.log('(a software adapter: winners are for this CPU-emulated adapter, and cached under its identity only)');
  const t0 = performance.now();
  const { results, winners } = await tune(device, {
    ...(opts.ops.length > 0 ? { ops: opts.ops } : {}),
    quick: opts.quick,
    save: false,
    ...(opts.verbose ? { onProgress: (m: string) => { console.log(`  ${m}`); } } : {}),
  });
  console.log('op'.padEnd(12), 'n'.padStart(10), 'winner'.padEnd(44), 'ms'.padStart(10), 'default ms'.padStart(11), 'gain'.padStart(6));
  for (const r of results) {
    console.log(r.op.padEnd(12), String(r.n).padStart(10), JSON.stringify(r.winner).padEnd(44), r.ms.toFixed(3).padStart(10), r.defaultMs.toFixed(3).padStart(11), `${(r.defaultMs / r.ms).toFixed(2)}×`.padStart(6));
  }
  const path = saveWinners(device.ctx, winners);
  console.log(`winners cached in ${path} (${((performance.now() - t0) / 1000).toFixed(1)} s); ops use them from now on`);
  // The placement model's ceilings (for ops `gpukit bench` has not measured), from the calibration kernels.
  const saved = savePlacement(device.info, { calibration: ceilingsOf(await calibrate(device, { elements: 2 ** 22, reps: 5 })) });
  if (saved.written) console.log(`calibrated ceilings for placement saved to ${saved.path}`);
  return 0;
}
