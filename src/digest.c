/* digest: not yet written. */
