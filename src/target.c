/* target: not yet written. */
