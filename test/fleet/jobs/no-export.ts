/** Test job module without a default export: every shard fails with the module named. */
export const notAJob = 1;
