/* cmd_import.c - being written. */
