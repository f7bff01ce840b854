/* util.c - bounded buffers, errors, ids and time. */
#include "util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
err_set(struct err *e, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->status = status;
	str_copy(e->field, sizeof(e->field), field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
sbuf_init(struct sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static int
sbuf_grow(struct sbuf *b, size_t need)
{
	size_t ncap;
	char *p;

	if (b->toobig || b->oom)
		return -1;
	if (need > b->max) {
		b->toobig = true;
		return -1;
	}
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->ptr, ncap)) == NULL) {
		b->oom = true;
		return -1;
	}
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int
sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	if (n > b->max - b->len || sbuf_grow(b, b->len + n) == -1) {
		b->toobig = b->toobig || !b->oom;
		return -1;
	}
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int
sbuf_adds(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

int
sbuf_addc(struct sbuf *b, char c)
{
	return sbuf_add(b, &c, 1);
}

int
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return sbuf_add(b, small, (size_t)n);
	if (sbuf_grow(b, b->len + (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80; avail bytes
 * readable, or SIZE_MAX in a NUL-terminated string, where the NUL stops the
 * continuation bytes), 0 if it is not one: overlong forms, surrogates and
 * code points past U+10FFFF are refused, as jansson does. */
static size_t
utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned c = *p;
	size_t len, i;
	uint32_t cp;

	if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
	else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
	else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
	else
		return 0;
	if (avail < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string literal. canon: exactly as jansson writes it (\b and \f,
 * upper-case \u00XX, DEL as is, invalid UTF-8 refused); otherwise DEL is
 * escaped too and bytes pass unchecked (the caller validated them). */
static int
json_str(struct sbuf *b, const char *s, bool canon)
{
	const char *hexd = canon ? "0123456789ABCDEF" : "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	char esc[8];
	size_t len;

	if (sbuf_addc(b, '"') == -1)
		return -1;
	while (*p) {
		if (*p >= 0x80 && canon) {
			if ((len = utf8_seq(p, SIZE_MAX)) == 0)
				return -1;
			p += len;
			continue;
		}
		if (*p >= 0x20 && *p != '"' && *p != '\\' && (canon || *p != 0x7f)) {
			p++;
			continue;
		}
		if (p > run && sbuf_add(b, run, (size_t)(p - run)) == -1)
			return -1;
		switch (*p) {
		case '"':  memcpy(esc, "\\\"", 3); break;
		case '\\': memcpy(esc, "\\\\", 3); break;
		case '\n': memcpy(esc, "\\n", 3); break;
		case '\r': memcpy(esc, "\\r", 3); break;
		case '\t': memcpy(esc, "\\t", 3); break;
		default:
			if (canon && *p == '\b') {
				memcpy(esc, "\\b", 3);
			} else if (canon && *p == '\f') {
				memcpy(esc, "\\f", 3);
			} else {
				esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
				esc[4] = hexd[*p >> 4]; esc[5] = hexd[*p & 15]; esc[6] = 0;
			}
		}
		if (sbuf_adds(b, esc) == -1)
			return -1;
		run = ++p;
	}
	if (p > run && sbuf_add(b, run, (size_t)(p - run)) == -1)
		return -1;
	return sbuf_addc(b, '"');
}

int
sbuf_json_str(struct sbuf *b, const char *s)
{
	return json_str(b, s, false);
}

int
sbuf_json_canon_str(struct sbuf *b, const char *s)
{
	return json_str(b, s, true);
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->toobig = b->oom = false;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
sbuf_free(struct sbuf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *
sbuf_steal(struct sbuf *b)
{
	char *p = b->ptr;

	if (p == NULL)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

int
str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n;

	if (dstsz == 0)
		return -1;
	n = strlen(src);
	if (n >= dstsz) {
		memcpy(dst, src, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0, lim;
	bool neg = false;
	size_t i = 0;

	if (n == 0)
		return -1;
	if (s[0] == '-') {
		neg = true;
		i = 1;
		if (n == 1)
			return -1;
	}
	/* Accumulate the magnitude unsigned: -9223372036854775808 fits. */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p;
		size_t len;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			p++;
			continue;
		}
		if ((len = utf8_seq(p, (size_t)(end - p))) == 0)
			return false;
		p += len;
	}
	return true;
}

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
id_new(char out[27])
{
	unsigned char rnd[10];
	uint64_t t = (uint64_t)now_ms();
	int i;

	/* Random bits from a per-thread pool: one getrandom() per 25 ids. */
	{
		static __thread unsigned char pool[256];
		static __thread size_t avail;
		if (avail < sizeof(rnd)) {
			randombytes_buf(pool, sizeof(pool));
			avail = sizeof(pool);
		}
		memcpy(rnd, pool + sizeof(pool) - avail, sizeof(rnd));
		sodium_memzero(pool + sizeof(pool) - avail, sizeof(rnd));
		avail -= sizeof(rnd);
	}
	/* 48-bit time: 10 characters, most significant first. */
	for (i = 9; i >= 0; i--) {
		out[i] = crockford[t & 31];
		t >>= 5;
	}
	/* 80 random bits: 16 characters. */
	for (i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)rnd[byte] << 8 | (byte + 1 < 10 ? rnd[byte + 1] : 0);
		out[10 + i] = crockford[(v >> (11 - off)) & 31];
	}
	out[26] = '\0';
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
time_iso(int64_t ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	unsigned y, ms3 = (unsigned)(((ms % 1000) + 1000) % 1000);

	gmtime_r(&s, &tm);
	y = (unsigned)(tm.tm_year + 1900) % 10000u;
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", y, (unsigned)(tm.tm_mon + 1) % 100u,
	    (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
	    (unsigned)tm.tm_sec % 100u, ms3 % 1000u);
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t n = strlen(s);
	int y, m, d;

	if (n < 4 || (y = digits(s, 4)) < 1900 || y > 2100)
		return false;
	if (n == 4)
		return true;
	if (s[4] != '-' || n < 7 || (m = digits(s + 5, 2)) < 1 || m > 12)
		return false;
	if (n == 7)
		return true;
	if (s[7] != '-' || n < 10 || (d = digits(s + 8, 2)) < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	if (n == 10)
		return true;
	/* A time part: THH:MM[:SS[.f...]] then Z or +hh:mm / -hh:mm, or nothing. */
	{
		const char *t = s + 11, *end = s + n;
		int hh, mm, ss;

		if (s[10] != 'T' || n > 40 || end - t < 5 || (hh = digits(t, 2)) < 0 || hh > 23 ||
		    t[2] != ':' || (mm = digits(t + 3, 2)) < 0 || mm > 59)
			return false;
		t += 5;
		if (t < end && *t == ':') {
			if (end - t < 3 || (ss = digits(t + 1, 2)) < 0 || ss > 60)
				return false;
			t += 3;
			if (t < end && *t == '.') {
				const char *f = ++t;
				while (t < end && *t >= '0' && *t <= '9' && t - f < 9)
					t++;
				if (t == f)
					return false;
			}
		}
		if (t == end)
			return true;
		if (*t == 'Z')
			return t + 1 == end;
		if ((*t == '+' || *t == '-') && end - t == 6) {
			int oh = digits(t + 1, 2), om = digits(t + 4, 2);
			return oh >= 0 && oh <= 14 && t[3] == ':' && om >= 0 && om <= 59;
		}
		return false;
	}
}

int64_t
date_to_ms(const char *s)
{
	int64_t y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int64_t era, yoe, doy, doe;

	/* days from civil (H. Hinnant's algorithm) */
	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400000;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[in[i] >> 4];
		out[2 * i + 1] = hexd[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *in, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(in[2 * i]), lo;
		if (hi < 0 || (lo = hexval(in[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return in[2 * n] == '\0' ? 0 : -1;
}
