/**
 * Child for the runaway-kernel test: a kernel that runs for tens of seconds on lavapipe, a readback with a
 * timeout, then close(). Prints one JSON line of what happened and when; the parent checks the process
 * then exits by itself, long before the kernel would finish.
 *   slow-close: a kernel of a second or two, close() with no timeout.
 *   no-close: a kernel of many minutes; its readback's TimeoutError is caught and the script ends there,
 *   without close() — the process must still exit by itself.
 */
import { DeviceLostError, openDevice, TimeoutError } from '../../src/index.js';

const t0 = performance.now();
const at = (): number => Math.round(performance.now() - t0);
const device = await openDevice({ engine: 'dawn' });
const k = await device.kernel(`
struct P { n: u32, reps: u32 }
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<uniform> p: P;
@compute @workgroup_size(1) fn main() {
  var acc = 0u;
  for (var r = 0u; r < p.reps; r = r + 1u) {
    var i = 0u;
    while (i < p.n) { acc = acc * 1664525u + 1013904223u + i; i = i + 1u; }
  }
  y[0] = acc;
}`);
using y = device.empty(1, 'u32');
const slow = process.argv[2] === 'slow-close';
if (process.argv[2] === 'no-close') {
  // ~64 · 4e9 iterations: many minutes. The script's last act is the readback that gives up.
  k.run({ y, p: { n: 0xfffffff0, reps: 64 } }, { invocations: 1 });
  process.on('exit', () => {
    console.log(JSON.stringify({ exitAt: at() }));
  });
  try {
    await y.toArray({ timeoutMs: 400 });
    console.log(JSON.stringify({ read: 'resolved' }));
  } catch (e) {
    console.log(JSON.stringify({ read: e instanceof TimeoutError ? 'TimeoutError' : String(e), readAt: at() }));
  }
} else {
  // runaway: ~4e9 iterations (close to a minute here); slow-close: ~1e8 (a second or two), no timeout.
  k.run({ y, p: { n: slow ? 100_000_000 : 0xfffffff0, reps: 1 } }, { invocations: 1 });
  let ticks = 0;
  const tick = setInterval(() => ticks++, 20);
  const r: Record<string, unknown> = {};
  if (slow) {
    device.ctx.flush();
    const c0 = performance.now();
    await device.close(); // must wait for the GPU without blocking this thread
    clearInterval(tick);
    console.log(JSON.stringify({ closeMs: Math.round(performance.now() - c0), ticksDuringClose: ticks }));
    process.exit(0);
  }
  try {
    await y.toArray({ timeoutMs: 400 });
    r['read'] = 'resolved';
  } catch (e) {
    r['read'] = e instanceof TimeoutError ? 'TimeoutError' : String(e);
    r['readAt'] = at();
  }
  try {
    device.zeros(4);
    r['later'] = 'accepted';
  } catch (e) {
    r['later'] = e instanceof DeviceLostError ? 'DeviceLostError' : String(e);
  }
  const c0 = performance.now();
  const ticks0 = ticks;
  await device.close();
  await new Promise((res) => setTimeout(res, 100));
  clearInterval(tick);
  r['closeMs'] = Math.round(performance.now() - c0);
  r['ticksDuringClose'] = ticks - ticks0;
  console.log(JSON.stringify(r));
  process.on('exit', () => {
    console.log(JSON.stringify({ exitAt: at() }));
  });
}
