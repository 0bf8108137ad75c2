/** The float64 reference for argmin/argmax (the tests compare both engines with it, beside NumPy). */
import { ArgumentError } from '../errors.js';
import { describeValue } from '../args.js';

/** CPU reference for argmin/argmax with the same NaN and tie rules. */
export function argCpu(op: 'argmin' | 'argmax', x: ArrayLike<number>): number {
  if ((op as unknown) !== 'argmin' && (op as unknown) !== 'argmax') throw new ArgumentError(`argCpu: op must be 'argmin' or 'argmax', got ${describeValue(op)}`);
  const list: unknown = x;
  if (!ArrayBuffer.isView(list) && !Array.isArray(list)) throw new ArgumentError(`argCpu: x must be a typed array or an array of numbers, got ${describeValue(list)}`);
  let best = -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (Number.isNaN(v)) return i;
    if (best < 0) best = i;
    else {
      const b = x[best] ?? 0;
      if (op === 'argmin' ? v < b : v > b) best = i;
    }
  }
  return best < 0 ? 0xffffffff : best;
}
