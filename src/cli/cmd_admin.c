/* cmd_admin.c - being written. */
