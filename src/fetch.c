/* fetch: not yet written. */
