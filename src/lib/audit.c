/* audit.c - being written. */
#include "util.h"
