/* source: not yet written. */
