/* util.h - small shared helpers: bounded buffers, errors, ids, time. */
#ifndef SIMPUL_UTIL_H
#define SIMPUL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error carried to the caller: an HTTP-like status, the field at fault (may be
 * empty) and a message a person can act on. */
struct err {
	int  status;       /* 400, 403, 404, 409, 413, 422, 500 ... ; 0 = no error */
	char field[128];
	char msg[256];
};
void err_set(struct err *e, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define err_clear(e) ((e)->status = 0, (e)->field[0] = 0, (e)->msg[0] = 0)

/* Bounded, growable byte buffer (curl's dynbuf). Appends past `max` fail and
 * set `toobig`; the buffer is always NUL-terminated. */
struct sbuf {
	char  *ptr;
	size_t len, cap, max;
	bool   toobig, oom;
};
void sbuf_init(struct sbuf *b, size_t max);
int  sbuf_add(struct sbuf *b, const void *p, size_t n);
int  sbuf_adds(struct sbuf *b, const char *s);
int  sbuf_addc(struct sbuf *b, char c);
int  sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  sbuf_json_str(struct sbuf *b, const char *s); /* appends a JSON string literal */
/* The same, byte for byte as jansson writes it (json_dumps without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): for canonical texts that are
 * hashed, such as audit entries. -1 (nothing useful appended) on invalid
 * UTF-8, which jansson refuses too, or when the buffer fails. */
int  sbuf_json_canon_str(struct sbuf *b, const char *s);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
char *sbuf_steal(struct sbuf *b);

/* Bounded string copy; returns -1 when truncated (OpenBSD strlcpy semantics). */
int  str_copy(char *dst, size_t dstsz, const char *src);
/* Strict decimal parse of [s, s+n) into *out; -1 on junk or overflow. */
int  parse_i64(const char *s, size_t n, int64_t *out);
/* Valid UTF-8, no NUL, no C0 controls except \t\n\r. */
bool utf8_valid(const char *s, size_t n);

/* ULID: 26 Crockford base32 characters, time-sortable, 80 random bits. */
void id_new(char out[27]);
/* Milliseconds since the epoch, wall clock. */
int64_t now_ms(void);
/* Monotonic microseconds, for durations. */
int64_t mono_us(void);
/* ISO 8601 UTC with milliseconds: 2026-11-28T04:07:00.123Z */
void time_iso(int64_t ms, char out[32]);
/* Checks YYYY, YYYY-MM or YYYY-MM-DD (and optionally a time) form and ranges. */
bool date_valid(const char *s);
/* Milliseconds since the epoch of a valid YYYY-MM-DD date (UTC midnight). */
int64_t date_to_ms(const char *ymd);

void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);
int  hex_decode(const char *in, unsigned char *out, size_t n);

#endif
