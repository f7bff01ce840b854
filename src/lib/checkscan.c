/* checkscan.c - see checkscan.h. Declining is always safe. */
#include "checkscan.h"

#include <stdlib.h>
#include <string.h>

const char *const cfield_names[CF__N] = {
	"key", "type", "value", "country", "bank", "provider", "chain", "platform", "role"
};

struct scan {
	const char  *p, *end;
	struct sbuf *arena;
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
lit(struct scan *s, char c)
{
	ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 0;
	}
	return -1;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* A string into the arena; *off is where it starts. -1 declines. */
static int
string(struct scan *s, size_t *off)
{
	const char *run;
	size_t start;

	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	start = s->arena->len;
	run = s->p;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p;
		char u[4];
		unsigned cp, lo;
		size_t un;

		if (c == '"') {
			if (sbuf_add(s->arena, run, (size_t)(s->p - run)) == -1 || sbuf_addc(s->arena, '\0') == -1)
				return -1;
			s->p++;
			*off = start;
			/* Valid UTF-8 and no control characters, or jansson decides. */
			return utf8_valid(s->arena->ptr + start, s->arena->len - start - 1) ? 0 : -1;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			s->p++;
			continue;
		}
		if (sbuf_add(s->arena, run, (size_t)(s->p - run)) == -1 || s->end - s->p < 2)
			return -1;
		switch (s->p[1]) {
		case '"': case '\\': case '/':
			sbuf_addc(s->arena, s->p[1]);
			s->p += 2;
			break;
		case 'n': sbuf_addc(s->arena, '\n'); s->p += 2; break;
		case 'r': sbuf_addc(s->arena, '\r'); s->p += 2; break;
		case 't': sbuf_addc(s->arena, '\t'); s->p += 2; break;
		case 'u':
			if (s->end - s->p < 6 || hex4(s->p + 2, &cp) == -1 || cp == 0)
				return -1;
			s->p += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
				    hex4(s->p + 2, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				s->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp < 0x80) {
				u[0] = (char)cp; un = 1;
			} else if (cp < 0x800) {
				u[0] = (char)(0xc0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3f)); un = 2;
			} else if (cp < 0x10000) {
				u[0] = (char)(0xe0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f)); un = 3;
			} else {
				u[0] = (char)(0xf0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); un = 4;
			}
			if (sbuf_add(s->arena, u, un) == -1)
				return -1;
			break;
		default:    /* \b, \f and anything else: let jansson decide */
			return -1;
		}
		run = s->p;
	}
	return -1;
}

/* {"field":"value", ...}: offsets into the arena, (size_t)-1 = absent. */
static int
item(struct scan *s, size_t off[CF__N])
{
	for (int i = 0; i < CF__N; i++)
		off[i] = (size_t)-1;
	if (lit(s, '{') == -1)
		return -1;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		size_t name, value;
		int f;

		if (string(s, &name) == -1 || lit(s, ':') == -1 || string(s, &value) == -1)
			return -1;
		for (f = 0; f < CF__N; f++)
			if (strcmp(s->arena->ptr + name, cfield_names[f]) == 0)
				break;
		if (f == CF__N || off[f] != (size_t)-1)
			return -1;          /* unknown or repeated: jansson names it */
		off[f] = value;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		return lit(s, '}');
	}
}

int
checkscan(const char *body, size_t len, size_t max_items, struct sbuf *arena,
    struct citem **items, size_t *nitems)
{
	struct scan s = { body, body + len, arena };
	size_t (*offs)[CF__N] = NULL, n = 0, cap = 0, name;
	struct citem *it = NULL;
	int ok = 0;

	*items = NULL;
	*nitems = 0;
	if (lit(&s, '{') == -1 || string(&s, &name) == -1 ||
	    strcmp(arena->ptr + name, "selectors") != 0 || lit(&s, ':') == -1 || lit(&s, '[') == -1)
		goto out;
	ws(&s);
	if (s.p < s.end && *s.p == ']') {
		goto out;           /* empty: the general path answers 400 */
	}
	for (;;) {
		if (n == max_items)
			goto out;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *np = realloc(offs, nc * sizeof(*offs));
			if (np == NULL)
				goto out;
			offs = np;
			cap = nc;
		}
		if (item(&s, offs[n]) == -1)
			goto out;
		n++;
		ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		break;
	}
	if (lit(&s, ']') == -1 || lit(&s, '}') == -1)
		goto out;
	ws(&s);
	if (s.p != s.end || arena->toobig || arena->oom)
		goto out;
	if ((it = calloc(n, sizeof(*it))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (int f = 0; f < CF__N; f++)
			it[i].f[f] = offs[i][f] == (size_t)-1 ? NULL : arena->ptr + offs[i][f];
	*items = it;
	*nitems = n;
	ok = 1;
out:
	free(offs);
	return ok;
}
