/**
 * Reductions along axes and row-to-row ops on the host engine: the same algorithm as the Dawn row kernel
 * (src/backends/dawn/ops/axis.ts), in JavaScript on the host queue (blocked f32 sums of 64).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import { alongRows } from '../../../buffers/rows.js';
import type { HostContext } from '../context.js';
import { emptyValue, type AxisOp } from '../../../ops/axis-options.js';
import type { AxisCall, RowsCall } from '../../../ops/axis.js';
import { exactIntProd, exactIntSum, overflowOf } from '../../../reference/overflow.js';
import { OverflowError } from '../../../errors.js';

/** A reduction along axes (the plan checked by src/ops/axis.ts), row by row on the host queue. */
export function hostReduceAxis(host: HostContext, { op, x: src, order, rows, R, ddof, shape, dtype }: AxisCall): DeviceArray {
  const out = new DeviceArray(host, dtype, shape);
  if (rows === 0) return out;
  const moved = src.transpose(order);
  const dense = moved.contiguous();
  const X = dense.data;
  const O = out.data;
  const float = src.dtype === 'f32';
  const wrap = src.dtype === 'i32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
  const intCheck = !float && (op === 'sum' || op === 'prod') && R > 0;
  host.enqueue(() => {
    if (intCheck) {
      // Integer sums and products are exact, or the op fails: never a wrap.
      for (let row = 0; row < rows; row++) {
        const where = rows > 1 ? row : undefined;
        const exact = op === 'sum' ? exactIntSum(X, row * R, (row + 1) * R) : exactIntProd(X, row * R, (row + 1) * R);
        const e = exact === null ? new OverflowError(op, `${op}: the ${src.dtype} product${where === undefined ? '' : ` (result ${row})`} is past 2^53 in magnitude, outside ${src.dtype}'s range (WebGPU has no 64-bit integers; gpukit never wraps): pass { dtype: 'f32' } to multiply in f32`) : overflowOf(op, src.dtype as 'i32' | 'u32', exact, where);
        if (e !== null) throw e;
      }
    }
    for (let row = 0; row < rows; row++) O[row] = reduceRow(op, X, row * R, R, float, wrap, ddof);
  });
  dense.destroy();
  return out;
}

/** softmax along an axis: max-shifted exponentials over blocked f32 sums, row by row on the host queue. */
export function hostSoftmax(host: HostContext, c: RowsCall): DeviceArray {
  return alongRows(c, (dense, res, rows, R) => {
    const X = dense.data;
    const O = res.data;
    host.enqueue(() => {
      for (let row = 0; row < rows; row++) {
        const base = row * R;
        const { shift, nan } = rowShift(X, base, R);
        const s = fsum(X, base, R, (v) => Math.fround(Math.exp(Math.fround(v - shift))));
        for (let j = 0; j < R; j++) O[base + j] = nan ? NaN : Math.fround(Math.fround(Math.exp(Math.fround((X[base + j] ?? 0) - shift))) / s);
      }
    });
  });
}

function fsum(X: ArrayLike<number>, base: number, R: number, f: (v: number) => number): number {
  let total = 0;
  for (let k = 0; k < R; k += 64) {
    let block = 0;
    const end = Math.min(R, k + 64);
    for (let j = k; j < end; j++) block = Math.fround(block + f(X[base + j] ?? 0));
    total = Math.fround(total + block);
  }
  return total;
}

function reduceRow(op: AxisOp, X: ArrayLike<number>, base: number, R: number, float: boolean, wrap: (v: number) => number, ddof: number): number {
  if (R === 0) return emptyValue(op);
  switch (op) {
    case 'sum': {
      if (float) return fsum(X, base, R, (v) => v);
      let s = 0;
      for (let j = 0; j < R; j++) s = wrap(s + (X[base + j] ?? 0));
      return s;
    }
    case 'prod': {
      let p = 1;
      for (let j = 0; j < R; j++) p = float ? Math.fround(p * (X[base + j] ?? 0)) : wrap(Math.imul(p, X[base + j] ?? 0));
      return p;
    }
    case 'min':
    case 'max':
    case 'argmin':
    case 'argmax': {
      let best = X[base] ?? 0;
      let at = 0;
      for (let j = 1; j < R && !Number.isNaN(best); j++) {
        const v = X[base + j] ?? 0;
        if (Number.isNaN(v) || ((op === 'min' || op === 'argmin') && v < best) || ((op === 'max' || op === 'argmax') && v > best)) {
          best = v;
          at = j;
        }
      }
      return op === 'min' || op === 'max' ? best : at;
    }
    case 'any':
    case 'all': {
      for (let j = 0; j < R; j++) {
        const nz = (X[base + j] ?? 0) !== 0; // NaN !== 0
        if (op === 'any' && nz) return 1;
        if (op === 'all' && !nz) return 0;
      }
      return op === 'any' ? 0 : 1;
    }
    case 'mean':
      return Math.fround(fsum(X, base, R, (v) => Math.fround(v)) / R);
    case 'var':
    case 'std': {
      if (R - ddof <= 0) return NaN; // no degrees of freedom left: NaN, the standard's special case (NumPy: +Inf)
      const m = Math.fround(fsum(X, base, R, (v) => Math.fround(v)) / R);
      const v = Math.fround(
        fsum(X, base, R, (e) => {
          const d = Math.fround(Math.fround(e) - m);
          return Math.fround(d * d);
        }) / (R - ddof),
      );
      return op === 'std' ? Math.fround(Math.sqrt(v)) : v;
    }
    case 'norm':
      return Math.fround(Math.sqrt(fsum(X, base, R, (v) => Math.fround(Math.fround(v) * Math.fround(v)))));
    case 'logsumexp': {
      const { shift, nan } = rowShift(X, base, R);
      if (nan) return NaN;
      return Math.fround(Math.fround(Math.log(fsum(X, base, R, (v) => Math.fround(Math.exp(Math.fround(v - shift)))))) + shift);
    }
  }
}

/** A row's softmax shift: its maximum when finite, else 0; and whether it holds a NaN. */
function rowShift(X: ArrayLike<number>, base: number, R: number): { shift: number; nan: boolean } {
  let m = -Infinity;
  let nan = false;
  for (let j = 0; j < R; j++) {
    const v = X[base + j] ?? 0;
    if (Number.isNaN(v)) nan = true;
    else if (v > m) m = v;
  }
  return { shift: Number.isFinite(m) ? m : 0, nan };
}
