// The layer rules of .dependency-cruiser.cjs (issue 25, item 5), as `npm run layers` checks them: no 'error'
// violation. The 'warn' rules (ops → backend internals, backends → ops, buffers → backend internals) hold only once
// the op-family and buffers work lands; they are printed here, and the lead flips them to 'error' at merge
// (TODO(lead) in .dependency-cruiser.cjs), which makes this test enforce them too.
import { describe, expect, it } from 'vitest';
import { checkLayers, formatLayers } from '../../scripts/layers.js';

describe('layer rules (.dependency-cruiser.cjs)', () => {
  it('src/ and bench/ break no error rule (cycles, buffers → ops, clients → internals)', async () => {
    const report = await checkLayers();
    console.log(formatLayers(report));
    // The cruise read the tree (a broken resolver would read a handful of modules and find nothing wrong).
    expect(report.modules).toBeGreaterThan(100);
    expect(report.violations.filter((v) => v.severity === 'error').map((v) => `${v.rule}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 120_000);
});
