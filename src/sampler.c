/* sampler: not yet written. */
