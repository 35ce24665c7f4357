/* mi: not yet written. */
