/* http.c - being written. */
