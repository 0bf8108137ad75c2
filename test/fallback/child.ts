// Run by the test/fallback tests in a child process, with an environment they choose (e.g. Dawn hidden).
// Prints one JSON line on stdout; what the process wrote to stderr is for the parent to inspect.
import { createRequire } from 'node:module';
import { add, matmul, openDevice, sum, type EngineChoice, type GpujsMode } from '../../src/index.js';
import { gpujsLoaded } from '../../src/backends/host/gpujs.js';

const require = createRequire(import.meta.url);
const gpujsInCache = (): boolean => Object.keys(require.cache).some((p) => p.includes('/node_modules/gpu.js/'));
const scenario = process.argv[2] ?? 'auto';
const out: Record<string, unknown> = { loadedAtStart: gpujsLoaded() || gpujsInCache() };

async function compute(engine: EngineChoice | undefined, gpujsMode?: GpujsMode): Promise<void> {
  const device = await openDevice({ ...(engine !== undefined ? { engine } : {}), ...(gpujsMode !== undefined ? { gpujsMode } : {}) });
  try {
    out['engine'] = device.info.engine;
    out['backend'] = device.info.backend;
    out['fallbackReason'] = device.info.fallbackReason ?? null;
    using x = device.array(new Float32Array([1, 2, 3, 4]));
    using y = device.array(new Float32Array([10, 20, 30, 40]));
    using s = add(x, y);
    using t = sum(s);
    using c = matmul(x, y, { m: 2, k: 2, n: 2 });
    out['add'] = [...(await s.toArray())];
    out['sum'] = await t.item();
    out['matmul'] = [...(await c.toArray())];
  } finally {
    await device.close();
  }
}

try {
  if (scenario === 'auto-twice') {
    await compute('auto');
    await compute('auto'); // a second fallback in the same process must not announce again
  } else if (scenario === 'dawn') {
    await compute('dawn');
  } else if (scenario === 'gpujs-webgpu') {
    await compute('gpujs', 'webgpu');
  } else if (scenario === 'env') {
    await compute(undefined);
  } else {
    await compute(scenario as EngineChoice);
  }
} catch (e) {
  out['error'] = e instanceof Error ? e.constructor.name : String(e);
  out['message'] = e instanceof Error ? e.message : '';
}
out['loadedAtEnd'] = gpujsLoaded() || gpujsInCache();
process.stdout.write(`${JSON.stringify(out)}\n`);
