// `npm run arch`'s countable promises (issue 25, "Done when"), printed, and every count asserted within its limit.
import { describe, expect, it } from 'vitest';

describe('npm run arch', () => {
  it('prints its report; every count is within its limit', async () => {
    const { rows, formatArch } = await import('../../scripts/arch.js');
    console.log(formatArch());
    // engine branches outside src/backends/ ≤ 5, device-keyed module maps 0, kernels/ duplicates ≤ 5 (counted
    // where the `duplicates` tool is installed; 'n/a' elsewhere), WGSL surgery outside the composer 0.
    for (const r of rows) if (typeof r.count === 'number') expect(r.count, r.what).toBeLessThanOrEqual(r.limit);
    // No engine branch at all outside the backends (the limit allows 5; the tree has none).
    const [branches] = rows;
    expect(branches?.hits ?? []).toEqual([]);
  }, 180_000);
});
