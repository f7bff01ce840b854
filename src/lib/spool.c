/* spool.c - the audit spool file (see spool.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "simpul_limits.h"

#define SPOOL_MAGIC     "SIMPULSPOOL1"
#define REC_MAGIC       0x31525053u     /* "SPR1" little-endian */
#define REC_HASH        16u
#define MAX_ALERTS      4096u

struct spool {
	int      fd;
	uint64_t id;
	uint64_t end;
	char    *path;
};

static void
put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int
pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int
write_header(struct spool *sp)
{
	unsigned char h[SPOOL_HEADER] = { 0 };

	randombytes_buf(&sp->id, sizeof(sp->id));
	memcpy(h, SPOOL_MAGIC, strlen(SPOOL_MAGIC));
	put_u64(h + 16, sp->id);
	if (pwrite_all(sp->fd, h, sizeof(h), 0) == -1)
		return -1;
	sp->end = SPOOL_HEADER;
	return 0;
}

int
spool_open(const char *db, bool create, struct spool **out, struct err *e)
{
	struct spool *sp;
	unsigned char h[SPOOL_HEADER];
	struct stat st;
	size_t n = strlen(db) + sizeof("-spool");

	*out = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL || (sp->path = malloc(n)) == NULL) {
		free(sp);
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	snprintf(sp->path, n, "%s-spool", db);
	if ((sp->fd = open(sp->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600)) == -1) {
		if (errno == ENOENT && !create) {
			spool_close(sp);
			return 2;
		}
		err_set(e, 500, "db", "cannot open the audit spool %s: %s", sp->path, strerror(errno));
		goto fail;
	}
	if (flock(sp->fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			spool_close(sp);
			return 1;
		}
		err_set(e, 500, "db", "cannot lock the audit spool %s: %s", sp->path, strerror(errno));
		goto fail;
	}
	if (fstat(sp->fd, &st) == -1) {
		err_set(e, 500, "db", "cannot read the audit spool %s: %s", sp->path, strerror(errno));
		goto fail;
	}
	if ((uint64_t)st.st_size < SPOOL_HEADER) {
		/* New, or cut short before its header was written again: no
		 * record in it was ever answered. */
		if (ftruncate(sp->fd, 0) == -1 || write_header(sp) == -1) {
			err_set(e, 500, "db", "cannot write the audit spool %s: %s", sp->path, strerror(errno));
			goto fail;
		}
	} else {
		if (pread(sp->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
		    memcmp(h, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0) {
			err_set(e, 500, "db", "%s is not a Simpul audit spool; move it away to start "
			    "(nothing has been changed)", sp->path);
			goto fail;
		}
		sp->id = get_u64(h + 16);
		sp->end = (uint64_t)st.st_size;
	}
	*out = sp;
	return 0;
fail:
	spool_close(sp);
	return -1;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);          /* releases the lock */
	free(sp->path);
	free(sp);
}

uint64_t
spool_id(const struct spool *sp)
{
	return sp->id;
}

uint64_t
spool_end(const struct spool *sp)
{
	return sp->end;
}

static int
put_str8(struct sbuf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	unsigned char l;

	if (n > max || n > 255)
		return -1;
	l = (unsigned char)n;
	sbuf_add(b, &l, 1);
	return sbuf_add(b, s, n);
}

int
spool_encode(struct sbuf *b, const struct spool_entry *en, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t head = b->len, plen;
		unsigned char num[8], *rec;

		if (en[i].nalerts > MAX_ALERTS || en[i].prefix_len > SPOOL_MAX_RECORD / 2)
			return -1;
		memset(num, 0, sizeof(num));
		sbuf_add(b, num, 8);
		sbuf_add(b, num, 8);
		sbuf_add(b, num, 8);    /* the record head, filled below */
		put_u64(num, (uint64_t)en[i].ts_ms);
		sbuf_add(b, num, 8);
		put_u32(num, (uint32_t)en[i].prefix_len);
		sbuf_add(b, num, 4);
		sbuf_add(b, en[i].prefix, en[i].prefix_len);
		put_u32(num, (uint32_t)en[i].nalerts);
		sbuf_add(b, num, 4);
		for (size_t k = 0; k < en[i].nalerts; k++) {
			const struct alert_row *a = &en[i].alerts[k];
			size_t pl = strlen(a->payload);

			if (put_str8(b, a->id, SIMPUL_ID_LEN) == -1 ||
			    put_str8(b, a->agency_id, SIMPUL_MAX_AGENCY_ID) == -1 ||
			    put_str8(b, a->principal_id, SIMPUL_ID_LEN) == -1 ||
			    put_str8(b, a->kind, sizeof(a->kind) - 1) == -1)
				return -1;
			put_u64(num, (uint64_t)a->created_ms);
			sbuf_add(b, num, 8);
			put_u32(num, (uint32_t)pl);
			sbuf_add(b, num, 4);
			sbuf_add(b, a->payload, pl);
		}
		if (b->oom || b->toobig)
			return -1;
		plen = b->len - head - SPOOL_REC_HEAD;
		if (plen > SPOOL_MAX_RECORD)
			return -1;
		rec = (unsigned char *)b->ptr + head;
		put_u32(rec, REC_MAGIC);
		put_u32(rec + 4, (uint32_t)plen);
		crypto_generichash(rec + 8, REC_HASH, rec + SPOOL_REC_HEAD, plen, NULL, 0);
	}
	return 0;
}

int
spool_append(struct spool *sp, const char *buf, size_t len, struct err *e)
{
	if (pwrite_all(sp->fd, buf, len, sp->end) == -1) {
		int saved = errno;

		/* Nothing half-written may stay: the next append goes here. */
		if (ftruncate(sp->fd, (off_t)sp->end) == -1) {
			/* A torn record is still refused by its hash at reading. */
		}
		err_set(e, 500, "audit", "cannot append to the audit spool %s: %s", sp->path,
		    strerror(saved));
		return -1;
	}
	sp->end += len;
	return 0;
}

int
spool_sync(struct spool *sp)
{
	return fdatasync(sp->fd);
}

/* A NUL-terminated copy of n bytes that hold no NUL (not strndup: the
 * record's bytes are not a C string, and ASan's strndup reads one past). */
static char *
copy_n(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* Bounded reads from a record's payload. */
struct rd {
	const unsigned char *p, *end;
	bool                 bad;
};

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *q = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return q;
}

static void
take_str8(struct rd *r, char *out, size_t outsz)
{
	const unsigned char *l = take(r, 1), *s;

	if (l == NULL || *l >= outsz || (s = take(r, *l)) == NULL) {
		r->bad = true;
		out[0] = '\0';
		return;
	}
	memcpy(out, s, *l);
	out[*l] = '\0';
	if (memchr(out, '\0', *l) != NULL)
		r->bad = true;
}

int64_t
spool_decode(const char *buf, size_t len, spool_cb cb, void *ctx)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t pos = 0;
	struct alert_row *alerts = NULL;
	char **payloads = NULL;
	int64_t rc = 0;

	while (len - pos >= SPOOL_REC_HEAD) {
		const unsigned char *h = b + pos, *q;
		uint32_t plen = get_u32(h + 4), na;
		unsigned char sum[REC_HASH];
		struct spool_entry en;
		struct rd r;

		if (get_u32(h) != REC_MAGIC || plen > SPOOL_MAX_RECORD || len - pos - SPOOL_REC_HEAD < plen)
			break;
		crypto_generichash(sum, REC_HASH, h + SPOOL_REC_HEAD, plen, NULL, 0);
		if (sodium_memcmp(sum, h + 8, REC_HASH) != 0)
			break;
		r.p = h + SPOOL_REC_HEAD;
		r.end = r.p + plen;
		r.bad = false;
		memset(&en, 0, sizeof(en));
		if ((q = take(&r, 8)) != NULL)
			en.ts_ms = (int64_t)get_u64(q);
		if ((q = take(&r, 4)) != NULL)
			en.prefix_len = get_u32(q);
		en.prefix = (const char *)take(&r, en.prefix_len);
		na = (q = take(&r, 4)) != NULL ? get_u32(q) : 0;
		if (r.bad || na > MAX_ALERTS || en.prefix == NULL ||
		    memchr(en.prefix, '\0', en.prefix_len) != NULL)
			break;
		free(alerts);
		alerts = na ? calloc(na, sizeof(*alerts)) : NULL;
		if (payloads) {
			for (size_t k = 0; payloads[k]; k++)
				free(payloads[k]);
			free(payloads);
		}
		payloads = calloc(na + 1, sizeof(*payloads));
		if ((na && alerts == NULL) || payloads == NULL) {
			rc = -1;
			goto out;
		}
		for (uint32_t k = 0; k < na && !r.bad; k++) {
			struct alert_row *a = &alerts[k];
			uint32_t pl;
			const unsigned char *ps;

			take_str8(&r, a->id, sizeof(a->id));
			take_str8(&r, a->agency_id, sizeof(a->agency_id));
			take_str8(&r, a->principal_id, sizeof(a->principal_id));
			take_str8(&r, a->kind, sizeof(a->kind));
			if ((q = take(&r, 8)) != NULL)
				a->created_ms = (int64_t)get_u64(q);
			pl = (q = take(&r, 4)) != NULL ? get_u32(q) : 0;
			if ((ps = take(&r, pl)) == NULL || memchr(ps, '\0', pl) != NULL) {
				r.bad = true;
				break;
			}
			if ((payloads[k] = copy_n(ps, pl)) == NULL) {
				rc = -1;
				goto out;
			}
			a->payload = payloads[k];
		}
		if (r.bad || r.p != r.end)
			break;
		en.alerts = alerts;
		en.nalerts = na;
		/* The prefix is not NUL-terminated in the buffer: the caller
		 * gets a copy that is. */
		{
			char *pfx = copy_n(en.prefix, en.prefix_len);
			int crc;

			if (pfx == NULL) {
				rc = -1;
				goto out;
			}
			en.prefix = pfx;
			crc = cb ? cb(ctx, &en) : 0;
			free(pfx);
			if (crc == -1) {
				rc = -1;
				goto out;
			}
		}
		pos += SPOOL_REC_HEAD + plen;
	}
	rc = (int64_t)pos;
out:
	free(alerts);
	if (payloads) {
		for (size_t k = 0; payloads[k]; k++)
			free(payloads[k]);
		free(payloads);
	}
	return rc;
}

int
spool_read(struct spool *sp, uint64_t from, uint64_t to, char **out, struct err *e)
{
	size_t len = (size_t)(to - from), got = 0;
	char *buf;

	*out = NULL;
	if (to < from || (buf = malloc(len ? len : 1)) == NULL) {
		err_set(e, 500, "audit", "out of memory reading the audit spool");
		return -1;
	}
	while (got < len) {
		ssize_t r = pread(sp->fd, buf + got, len - got, (off_t)(from + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			err_set(e, 500, "audit", "cannot read the audit spool %s: %s", sp->path,
			    r == 0 ? "it is shorter than expected" : strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	*out = buf;
	return 0;
}

int
spool_restart(struct spool *sp, struct err *e)
{
	/* Cut first and make the cut durable, then write the new id: a file
	 * with the new id never holds records already ingested under the old
	 * one, whatever reaches the disk (the database still names the old). */
	if (ftruncate(sp->fd, SPOOL_HEADER) == -1 || fdatasync(sp->fd) == -1 ||
	    write_header(sp) == -1) {
		err_set(e, 500, "audit", "cannot start the audit spool %s over: %s", sp->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The database's note of how far a spool was ingested: meta audit_spool =
 * "<16 hex digits of the spool's id>:<offset>", written in the same
 * transaction as the entries. */
#define META_POS "audit_spool"

/* Where ingesting the spool with id sid resumes: the noted offset, or the
 * first record when the note names another id (a restarted file) or none. */
static uint64_t
resume_at(struct store *st, uint64_t sid)
{
	char pos[64];
	uint64_t id = 0;
	int64_t off;
	size_t i;

	if (store_meta_get(st, META_POS, pos, sizeof(pos)) != 0 || strlen(pos) < 18 || pos[16] != ':')
		return SPOOL_HEADER;
	for (i = 0; i < 16; i++) {
		int d = pos[i] >= '0' && pos[i] <= '9' ? pos[i] - '0' :
		    pos[i] >= 'a' && pos[i] <= 'f' ? pos[i] - 'a' + 10 : -1;
		if (d < 0)
			return SPOOL_HEADER;
		id = id << 4 | (uint64_t)d;
	}
	if (id != sid || parse_i64(pos + 17, strlen(pos + 17), &off) == -1 || off < (int64_t)SPOOL_HEADER)
		return SPOOL_HEADER;
	return (uint64_t)off;
}

uint64_t
spool_resume_at(struct spool *sp, struct store *st)
{
	return resume_at(st, sp->id);
}

int
spool_note_ingested(struct spool *sp, struct store *st, uint64_t off, struct err *e)
{
	char pos[64];

	snprintf(pos, sizeof(pos), "%016llx:%llu", (unsigned long long)sp->id, (unsigned long long)off);
	return store_meta_put(st, META_POS, pos, e);
}

int64_t
spool_pending(const char *db, struct store *st)
{
	char path[4096];
	unsigned char h[SPOOL_HEADER];
	struct stat sb;
	uint64_t from;
	int fd;
	int64_t rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s-spool", db) >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) == -1)
		goto out;
	if ((uint64_t)sb.st_size <= SPOOL_HEADER) {
		rc = 0;
		goto out;
	}
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0)
		goto out;
	from = resume_at(st, get_u64(h + 16));
	rc = (uint64_t)sb.st_size > from ? (int64_t)((uint64_t)sb.st_size - from) : 0;
out:
	close(fd);
	return rc;
}

int
spool_keep_damaged(struct spool *sp, uint64_t from, struct err *e)
{
	char path[4096], *buf = NULL;
	int fd, rc = -1;

	if (from >= sp->end)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s.damaged", sp->path) >= sizeof(path) ||
	    spool_read(sp, from, sp->end, &buf, e) == -1)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) == -1 ||
	    write(fd, buf, (size_t)(sp->end - from)) != (ssize_t)(sp->end - from) || fsync(fd) == -1)
		err_set(e, 500, "audit", "cannot keep the unreadable end of the audit spool in %s: %s",
		    path, strerror(errno));
	else
		rc = 0;
	if (fd != -1)
		close(fd);
	free(buf);
	return rc;
}
