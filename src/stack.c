/* stack: not yet written. */
