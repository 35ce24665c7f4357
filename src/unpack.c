/* unpack: not yet written. */
