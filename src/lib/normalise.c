/* normalise.c - being written. */
#include "util.h"
