/* core.c - being written. */
#include "util.h"
