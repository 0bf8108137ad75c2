// openPlaced() opens a device of its own and closes it with the front end; its options are checked before
// any device is opened.
import { expect, test } from 'vitest';
import { ArgumentError, DestroyedError } from '../../src/errors.js';
import { PlacementModel } from '../../src/placement/model.js';
import { openPlaced } from '../../src/placement/placed.js';
import { ENGINE } from '../fixture.js';

test('openPlaced opens its own device, places on it and closes it with the front end', async () => {
  const model = PlacementModel.given({ sum: { 'cpu-1t': { alphaMs: 0, betaMs: 1e-3 }, 'gpu-e2e': { alphaMs: 0.1, betaMs: 0 } } });
  const gk = await openPlaced({ engine: ENGINE, model, pool: false });
  expect(gk.placement).toBe('measured');
  // 300 elements: past the model's crossover (100), so the device runs it; 1 + 2 + … + 300 is exact in f32.
  const x = Float32Array.from({ length: 300 }, (_, i) => i + 1);
  const p = await gk.profile(() => gk.sum(x));
  expect(p.result).toBe(45150);
  expect(p.placements[0]?.side).toBe('gpu');
  await gk.close();
  expect(gk.device.closed).toBe(true);
  await expect(gk.sum(x)).rejects.toThrow(DestroyedError);
  await expect(gk.sum(x)).rejects.toThrow(/placed sum: this placed front end is closed/);
  await gk.close(); // idempotent
});

test('bad placement options are ArgumentErrors, before a device is opened', async () => {
  await expect(openPlaced({ placement: 'fastest' as 'cpu' })).rejects.toThrow(ArgumentError);
  await expect(openPlaced({ placement: 'fastest' as 'cpu' })).rejects.toThrow(/placement must be one of 'measured', 'cpu', 'gpu', 'cpu-js' or 'cpu-wasm', got "fastest"/);
  await expect(openPlaced({ pool: 'yes' as unknown as boolean })).rejects.toThrow(/placement: pool must be a boolean/);
  await expect(openPlaced({ wasm: 1 as unknown as boolean })).rejects.toThrow(/placement: wasm must be a boolean/);
  await expect(openPlaced({ model: {} as unknown as PlacementModel })).rejects.toThrow(/model must be a PlacementModel/);
  for (const bad of [null, 'gpu', 3, [1]]) {
    await expect(openPlaced(bad as unknown as object)).rejects.toThrow(ArgumentError);
    await expect(openPlaced(bad as unknown as object)).rejects.toThrow(/^openPlaced: options must be an object/);
  }
});
