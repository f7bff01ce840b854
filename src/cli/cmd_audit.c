/* cmd_audit.c - being written. */
