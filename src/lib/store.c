/* store.c - being written. */
#include "util.h"
