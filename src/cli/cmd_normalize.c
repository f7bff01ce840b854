/* cmd_normalize.c - being written. */
