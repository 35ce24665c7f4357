/* gdb: not yet written. */
