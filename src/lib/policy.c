/* policy.c - being written. */
#include "util.h"
