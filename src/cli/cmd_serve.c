/* cmd_serve.c - being written. */
