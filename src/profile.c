/* profile: not yet written. */
