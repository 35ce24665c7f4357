/* install: not yet written. */
