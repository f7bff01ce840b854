/* api.c - being written. */
