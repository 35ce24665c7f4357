/* report-text: not yet written. */
