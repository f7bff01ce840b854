/* store_sqlite.c - being written. */
#include "util.h"
