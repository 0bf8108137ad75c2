/**
 * One op, one place: the public exports, the op manifests (src/ops/registry.ts) and the generated op table
 * (docs/reference/ops.md) are one list. NumPy names are checked against NumPy itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gpukit from '../../src/index.js';
import { DTypeError, type DeviceArray, type DType } from '../../src/index.js';
import { ALL_DTYPES } from '../../src/ops/manifest.js';
import { OPS } from '../../src/ops/registry.js';
import { OPS_DOC, renderedDoc } from '../../scripts/op-table.js';
import { gpuTest } from '../fixture.js';
import { sampleOf, VIA_PUBLIC } from './op-samples.js';

/** Exported functions that are not ops (devices, helpers, settings), each for its reason. */
const NOT_OPS = new Set([
  'openDevice', // opens a device
  'describeAdapter', // formats DeviceInfo
  'broadcastShapes', // shape arithmetic on plain arrays
  'setKernelCacheSize', // a setting
  'setBuilderCacheSize', // a setting
  'builderCacheSize', // a setting
  'defaultStreamChunk', // a setting's default
  'openPlaced', // opens the placed front end
  'placeOn', // placement of one call
  'sizeOf', // placement: a call's size
  'engineTraits', // what an engine can run (src/device/engines.ts)
  'resultType', // the standard's type promotion over dtypes (src/buffers/dtype.ts)
  'canCast', // the same
  'promoteTypes', // the same, for two dtypes
  'currentRuntime', // which JavaScript runtime (Node, Bun, Deno) runs gpukit (src/device/runtime.ts)
  'fusedSource', // prints the WGSL of a recorded chain (src/fusion/source.ts)
  'jit', // traces a function of arrays once per signature, replays its fused chain (src/fusion/jit.ts)
]);

/** `gpukit.<name>`, through dotted names (`random.uniform`). */
function at(name: string): unknown {
  return name.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], gpukit);
}

const exported = Object.entries(gpukit).filter(([, v]) => typeof v === 'function' && !/^[A-Z]/.test((v as { name?: string }).name ?? ''));

describe('op manifests, exports and docs agree', () => {
  const names = new Set(OPS.flatMap((o) => [o.name, ...(o.aliases ?? [])]));

  it('every manifest is exported under its name and aliases, as a function', () => {
    for (const o of OPS) {
      for (const n of [o.name, ...(o.aliases ?? [])]) expect(typeof at(n), `gpukit.${n}`).toBe('function');
    }
  });

  it('every exported function is an op with a manifest, a reference (…Cpu) or a listed non-op', () => {
    const namespaces = new Set([...names].filter((n) => n.includes('.')).map((n) => n.split('.')[0]));
    const orphans = exported.map(([k]) => k).filter((k) => !names.has(k) && !namespaces.has(k) && !NOT_OPS.has(k) && !k.endsWith('Cpu') && !k.endsWith('Tolerance'));
    expect(orphans).toEqual([]);
  });

  it('every manifest names both engines and a check', () => {
    for (const o of OPS) {
      expect([typeof o.check, typeof o.dawn, typeof o.host, typeof o.call], o.name).toEqual(['function', 'function', 'function', 'function']);
      expect(o.summary.length, o.name).toBeGreaterThan(10);
    }
  });

  it('names are unique', () => {
    const all = OPS.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
    expect(all.length).toBe(new Set(all).size);
  });

  it("every NumPy name exists in NumPy (Debian's python3-numpy); the others are SciPy's special functions", () => {
    const named = OPS.flatMap((o) => (o.numpy === null ? [] : [o.numpy]));
    // SciPy is not on the test machines; the two ops NumPy lacks (softmax, logsumexp) name scipy.special's.
    expect(named.filter((n) => !n.startsWith('numpy.') && !/^scipy\.special\.\w+$/.test(n))).toEqual([]);
    const numpy = named.filter((n) => n.startsWith('numpy.'));
    const script = `import numpy, sys\nmissing = []\nfor n in sys.argv[1:]:\n    obj = __import__(n.split('.')[0])\n    try:\n        for part in n.split('.')[1:]: obj = getattr(obj, part)\n    except AttributeError: missing.append(n)\nprint(','.join(missing))`;
    const missing = execFileSync('/usr/bin/python3', ['-c', script, ...numpy], { encoding: 'utf8' }).trim();
    expect(missing).toBe('');
  });

  it('docs/reference/ops.md holds the table generated from the manifests (npm run op-table)', () => {
    const doc = readFileSync(OPS_DOC, 'utf8');
    expect(renderedDoc(doc)).toBe(doc);
  });
});

/** Destroys every array in a result (an array, a list, a record of arrays). */
function free(r: unknown): void {
  if (typeof r !== 'object' || r === null) return;
  if (typeof (r as { destroy?: unknown }).destroy === 'function') (r as DeviceArray).destroy();
  else for (const v of Object.values(r)) free(v);
}

gpuTest("every op's declared dtypes are its behaviour: another dtype is a DTypeError from its check, a declared one passes it", async ({ device }) => {
  let f16 = true;
  try {
    device.zeros([1], { dtype: 'f16' }).destroy();
  } catch (e) {
    if (!(e instanceof DTypeError)) throw e;
    f16 = false; // no shader-f16 (gpujs, or an adapter without it): no f16 array to pass
  }
  for (const o of OPS) {
    const declared = o.dtypes;
    expect(declared, `${o.name} declares its dtypes`).toBeDefined();
    if (declared === undefined || declared.length === 0) continue; // takes no array (random)
    for (const d of ALL_DTYPES) {
      if (d === 'f16' && !f16) continue;
      const made: DeviceArray[] = [];
      const make = (dt: DType, shape: readonly number[] = [2, 2]): DeviceArray => {
        const a = device.zeros(shape, { dtype: dt });
        made.push(a);
        return a;
      };
      const what = `${o.name} of ${d} (declared: ${declared.join(', ')})`;
      try {
        const viaPublic = VIA_PUBLIC[o.name]?.(d, make);
        const args = viaPublic === undefined ? sampleOf(o.name, o.check.length)(d, make, device) : [];
        const call = async (): Promise<void> => {
          const r: unknown = viaPublic !== undefined ? viaPublic() : o.call(...args);
          free(await r);
        };
        if (!declared.includes(d)) {
          // Refused by the check itself, before anything is allocated (a composite op's inner ops would throw
          // later, naming themselves), and so by the call.
          if (viaPublic === undefined) expect(() => o.check(...args), what).toThrow(DTypeError);
          await expect(call(), what).rejects.toThrow(DTypeError);
        } else if (viaPublic !== undefined) await call();
        else expect(() => o.check(...args), what).not.toThrow();
      } finally {
        for (const a of made) a.destroy();
      }
    }
  }
});
