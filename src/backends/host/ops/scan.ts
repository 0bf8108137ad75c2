/** scan on the host engine: CPU loops (the reference's running sum; along an axis, f32 sums rounded per step). */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { hostOf } from '../host-of.js';
import { alongRows } from '../../../buffers/rows.js';
import { scanCpu } from '../../../reference/scan.js';
import type { ScanCall } from '../../../ops/scan.js';
import type { RowsCall } from '../../../ops/axis.js';
import { overflowOf, runningSumMessage } from '../../../reference/overflow.js';
import { OverflowError } from '../../../errors.js';

/** Throws the OverflowError of the first kept prefix sum of X[base .. base + R) outside dtype's range (exclusive: the last prefix is not kept). */
function checkRunningSum(op: string, dtype: 'i32' | 'u32', X: ArrayLike<number>, base: number, R: number, exclusive: boolean): void {
  let acc = 0;
  const kept = exclusive ? R - 1 : R;
  for (let j = 0; j < kept; j++) {
    acc += X[base + j] ?? 0; // exact: every earlier prefix was in range
    if (overflowOf(op, dtype, acc) !== null) throw new OverflowError(op, runningSumMessage(op, dtype));
  }
}

export function hostScan(ctx: HostContext, { op, x, exclusive, rows }: ScanCall): DeviceArray {
  if (rows !== undefined) return scanAxis(ctx, op, rows, exclusive);
  const host = hostOf('scan', x);
  const out = new DeviceArray(host, x.dtype, x.length);
  const X = x.data;
  const O = out.data;
  if (x.length > 0) host.enqueue(() => {
    if (!(X instanceof Float32Array)) checkRunningSum(op, x.dtype as 'i32' | 'u32', X, 0, X.length, exclusive);
    O.set(scanCpu(X, exclusive));
  });
  return out;
}

/** Along `axis`: the axis moved last, each row summed in order on the host, moved back. */
function scanAxis(ctx: HostContext, op: string, plan: RowsCall, exclusive: boolean): DeviceArray {
  return alongRows(plan, (dense, res, rows, R) => {
    const host = hostOf('scan(axis)', dense);
    const X = dense.data;
    const O = res.data;
    const float = dense.dtype === 'f32';
    const wrap = dense.dtype === 'i32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
    host.enqueue(() => {
      if (!float) for (let row = 0; row < rows; row++) checkRunningSum(op, dense.dtype as 'i32' | 'u32', X, row * R, R, exclusive);
      for (let row = 0; row < rows; row++) {
        let acc = 0;
        for (let j = 0; j < R; j++) {
          const v = X[row * R + j] ?? 0;
          if (exclusive) O[row * R + j] = acc;
          acc = float ? Math.fround(acc + v) : wrap(acc + v);
          if (!exclusive) O[row * R + j] = acc;
        }
      }
    });
  });
}
