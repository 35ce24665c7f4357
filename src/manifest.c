/* manifest: not yet written. */
