/**
 * The GHL sandbox's seeded numbers come from the PRNG shared by both sandboxes; this module keeps
 * the old import path working.
 */
export { createPrng } from '../shared/prng.ts';
export type { Prng } from '../shared/prng.ts';
