/**
 * Every op's manifest, in the order the reference lists them. The docs' op table
 * (docs/reference/ops.md, `npm run op-table`) is generated from this list, and test/arch/manifests.test.ts
 * fails when it, the public exports and the docs disagree.
 */
import type { Op } from './manifest.js';
import { ARGMAX, ARGMIN } from './arg.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of ops of every signature
export type AnyOp = Op<any[], object, unknown>;

export const OPS: readonly AnyOp[] = [ARGMIN, ARGMAX] as unknown as readonly AnyOp[];
