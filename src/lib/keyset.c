/* keyset.c - open-addressing hash set of 64-bit key hashes with flags. */
#include "keyset.h"

#include <pthread.h>
#include <stdlib.h>

/* A slot holds the hash with its two low bits replaced by the flags; a
 * stored value is never 0 because flags are never 0, so 0 marks empty. */
struct keyset {
	pthread_rwlock_t lock;
	uint64_t        *slot;
	size_t           cap;    /* power of two */
	size_t           n;
};

#define FLAGMASK ((uint64_t)3)

struct keyset *
keyset_new(void)
{
	struct keyset *ks = calloc(1, sizeof(*ks));

	if (ks == NULL)
		return NULL;
	ks->cap = 1024;
	if ((ks->slot = calloc(ks->cap, sizeof(uint64_t))) == NULL) {
		free(ks);
		return NULL;
	}
	pthread_rwlock_init(&ks->lock, NULL);
	return ks;
}

void
keyset_free(struct keyset *ks)
{
	if (ks == NULL)
		return;
	pthread_rwlock_destroy(&ks->lock);
	free(ks->slot);
	free(ks);
}

/* FNV-1a, then a murmur3 finaliser so the low bits mix well. */
uint64_t
keyset_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static size_t
probe(const uint64_t *slot, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h >> 2) & (cap - 1);

	while (slot[i] != 0 && (slot[i] & ~FLAGMASK) != (h & ~FLAGMASK))
		i = (i + 1) & (cap - 1);
	return i;
}

static int
grow(struct keyset *ks)
{
	size_t ncap = ks->cap * 2;
	uint64_t *ns = calloc(ncap, sizeof(uint64_t));

	if (ns == NULL)
		return -1;
	for (size_t i = 0; i < ks->cap; i++)
		if (ks->slot[i])
			ns[probe(ns, ncap, ks->slot[i])] = ks->slot[i];
	free(ks->slot);
	ks->slot = ns;
	ks->cap = ncap;
	return 0;
}

int
keyset_add(struct keyset *ks, uint64_t h, unsigned flags)
{
	size_t i;
	int rc = 0;

	flags &= FLAGMASK;
	if (flags == 0)
		return 0;
	pthread_rwlock_wrlock(&ks->lock);
	if ((ks->n + 1) * 2 > ks->cap && grow(ks) == -1) {
		rc = -1;
		goto out;
	}
	i = probe(ks->slot, ks->cap, h);
	if (ks->slot[i] == 0) {
		ks->slot[i] = (h & ~FLAGMASK) | flags;
		ks->n++;
	} else {
		ks->slot[i] |= flags;
	}
out:
	pthread_rwlock_unlock(&ks->lock);
	return rc;
}

unsigned
keyset_get(struct keyset *ks, uint64_t h)
{
	unsigned f;

	pthread_rwlock_rdlock(&ks->lock);
	f = (unsigned)(ks->slot[probe(ks->slot, ks->cap, h)] & FLAGMASK);
	pthread_rwlock_unlock(&ks->lock);
	return f;
}

#define PREFETCH_AHEAD 8

void
keyset_get_many(struct keyset *ks, const uint64_t *h, unsigned *flags, size_t n)
{
	size_t i, mask;

	pthread_rwlock_rdlock(&ks->lock);
	mask = ks->cap - 1;
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		__builtin_prefetch(&ks->slot[(size_t)(h[i] >> 2) & mask]);
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			__builtin_prefetch(&ks->slot[(size_t)(h[i + PREFETCH_AHEAD] >> 2) & mask]);
		flags[i] = (unsigned)(ks->slot[probe(ks->slot, ks->cap, h[i])] & FLAGMASK);
	}
	pthread_rwlock_unlock(&ks->lock);
}
