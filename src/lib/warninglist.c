/* warninglist.c - MISP warning lists (warninglist.h). Entries live in one
 * open-addressing table of strings per set; each entry remembers its list
 * and whether it also covers subdomains. CIDR ranges are a plain array per
 * list (warning lists of ranges are short). Thread-safety: the caller
 * serialises changes against lookups (node_net.c holds a rwlock). */
#include "warninglist.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simpul_limits.h"

enum wl_type { WT_HOSTNAME, WT_STRING, WT_CIDR };

struct wlrange {
	int           fam;          /* 4 or 6 */
	unsigned char addr[16];
	int           bits;
};

struct wllist {
	char            name[WL_MAX_NAME + 1];
	char            description[256];
	enum wl_type    type;
	size_t          entries;
	struct wlrange *ranges;
	size_t          nranges;
	bool            used;
};

struct wlent {
	char   *s;                 /* NULL: empty slot */
	uint8_t list;
	bool    covers;            /* also every subdomain */
	bool    dead;              /* its list was replaced */
};

struct wlset {
	struct wllist lists[WL_MAX_LISTS];
	struct wlent *t;
	size_t        cap, n;
};

static uint64_t
h64(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

struct wlset *
wl_new(void)
{
	return calloc(1, sizeof(struct wlset));
}

void
wl_free(struct wlset *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->cap; i++)
		free(w->t[i].s);
	free(w->t);
	for (int i = 0; i < WL_MAX_LISTS; i++)
		free(w->lists[i].ranges);
	free(w);
}

static int
put(struct wlset *w, const char *s, size_t n, uint8_t list, bool covers)
{
	size_t j;

	if ((w->n + 1) * 2 >= w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 4096;
		struct wlent *nt = calloc(nc, sizeof(*nt));
		if (nt == NULL)
			return -1;
		for (size_t i = 0; i < w->cap; i++) {
			if (w->t[i].s == NULL)
				continue;
			if (w->t[i].dead) {
				free(w->t[i].s);
				continue;
			}
			j = h64(w->t[i].s, strlen(w->t[i].s)) & (nc - 1);
			while (nt[j].s)
				j = (j + 1) & (nc - 1);
			nt[j] = w->t[i];
		}
		free(w->t);
		w->t = nt;
		w->cap = nc;
		w->n = 0;
		for (size_t i = 0; i < nc; i++)
			w->n += nt[i].s != NULL;
	}
	for (j = h64(s, n) & (w->cap - 1); w->t[j].s; j = (j + 1) & (w->cap - 1))
		if (!w->t[j].dead && strlen(w->t[j].s) == n && memcmp(w->t[j].s, s, n) == 0) {
			/* Already listed: the wider rule wins. */
			w->t[j].covers = w->t[j].covers || covers;
			return 0;
		}
	if ((w->t[j].s = strndup(s, n)) == NULL)
		return -1;
	w->t[j].list = list;
	w->t[j].covers = covers;
	w->t[j].dead = false;
	w->n++;
	return 0;
}

static const struct wlent *
get(const struct wlset *w, const char *s, size_t n)
{
	if (w->cap == 0)
		return NULL;
	for (size_t j = h64(s, n) & (w->cap - 1); w->t[j].s; j = (j + 1) & (w->cap - 1))
		if (!w->t[j].dead && strlen(w->t[j].s) == n && memcmp(w->t[j].s, s, n) == 0)
			return &w->t[j];
	return NULL;
}

static int
parse_cidr(const char *s, struct wlrange *r)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int64_t bits;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->fam = 4;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->fam = 6;
	else
		return -1;
	bits = r->fam == 4 ? 32 : 128;
	if (slash) {
		int64_t b;
		if (parse_i64(slash + 1, strlen(slash + 1), &b) == -1 || b < 0 || b > bits)
			return -1;
		bits = b;
	}
	r->bits = (int)bits;
	return 0;
}

static bool
in_range(const struct wlrange *r, int fam, const unsigned char *a)
{
	int full = r->bits / 8, rest = r->bits % 8;

	if (r->fam != fam)
		return false;
	if (memcmp(r->addr, a, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		if ((r->addr[full] & mask) != (a[full] & mask))
			return false;
	}
	return true;
}

/* Lowercase, trim dots and spaces; false when nothing is left or the entry
 * has characters a host never has. */
static bool
clean_host(const char *in, char *out, size_t outsz, bool *leading_dot)
{
	size_t n = strlen(in), i = 0, o = 0;

	while (n > 0 && (in[n - 1] == '.' || in[n - 1] == ' '))
		n--;
	while (i < n && in[i] == ' ')
		i++;
	*leading_dot = i < n && in[i] == '.';
	while (i < n && in[i] == '.')
		i++;
	if (i >= n || n - i >= outsz)
		return false;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c <= ' ' || c == '/' || c == '@' || c >= 0x7f)
			return false;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
	return true;
}

int
wl_add_json(struct wlset *w, const char *text, size_t len, char *name_out, size_t namesz, struct err *e)
{
	json_error_t je;
	json_t *j = NULL, *list, *v;
	const char *name, *type, *desc;
	struct wllist *L = NULL;
	enum wl_type t;
	int slot = -1, rc = -1;
	size_t i;

	if (len > WL_MAX_BYTES) {
		err_set(e, 413, "body", "a warning list is at most %u bytes", WL_MAX_BYTES);
		return -1;
	}
	if ((j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		err_set(e, 400, "body", "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(j)) {
		err_set(e, 400, "body", "a MISP warning list is a JSON object with name, type and list");
		goto out;
	}
	name = json_string_value(json_object_get(j, "name"));
	type = json_string_value(json_object_get(j, "type"));
	desc = json_string_value(json_object_get(j, "description"));
	list = json_object_get(j, "list");
	if (name == NULL || *name == '\0' || strlen(name) > WL_MAX_NAME || !utf8_valid(name, strlen(name))) {
		err_set(e, 422, "name", "name must be 1 to %d bytes of text", WL_MAX_NAME);
		goto out;
	}
	if (type == NULL) {
		err_set(e, 422, "type", "type is required: hostname, string or cidr");
		goto out;
	}
	if (strcmp(type, "hostname") == 0)
		t = WT_HOSTNAME;
	else if (strcmp(type, "string") == 0)
		t = WT_STRING;
	else if (strcmp(type, "cidr") == 0)
		t = WT_CIDR;
	else {
		err_set(e, 422, "type", "list type %.32s is not supported (hostname, string or cidr)", type);
		goto out;
	}
	if (!json_is_array(list)) {
		err_set(e, 422, "list", "list must be an array of strings");
		goto out;
	}
	if (json_array_size(list) > WL_MAX_ENTRIES) {
		err_set(e, 413, "list", "a warning list holds at most %d entries", WL_MAX_ENTRIES);
		goto out;
	}
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL || strlen(s) > SIMPUL_MAX_VALUE_LEN || !utf8_valid(s, strlen(s))) {
			err_set(e, 422, "", "an entry is not a string of at most %d bytes", SIMPUL_MAX_VALUE_LEN);
			snprintf(e->field, sizeof(e->field), "list[%zu]", i);
			goto out;
		}
	}
	/* Replace a list of the same name, or take a free slot. */
	for (int k = 0; k < WL_MAX_LISTS; k++)
		if (w->lists[k].used && strcmp(w->lists[k].name, name) == 0) {
			slot = k;
			break;
		}
	if (slot == -1)
		for (int k = 0; k < WL_MAX_LISTS; k++)
			if (!w->lists[k].used) {
				slot = k;
				break;
			}
	if (slot == -1) {
		err_set(e, 422, "name", "at most %d warning lists", WL_MAX_LISTS);
		goto out;
	}
	for (size_t k = 0; k < w->cap; k++)
		if (w->t[k].s && w->t[k].list == slot)
			w->t[k].dead = true;
	L = &w->lists[slot];
	free(L->ranges);
	memset(L, 0, sizeof(*L));
	L->used = true;
	L->type = t;
	str_copy(L->name, sizeof(L->name), name);
	str_copy(L->description, sizeof(L->description), desc ? desc : "");
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		char host[256];
		bool dot;

		if (t == WT_CIDR) {
			struct wlrange r, *nr;
			if (parse_cidr(s, &r) == -1)
				continue;   /* an unusable entry is skipped, not fatal */
			if ((nr = realloc(L->ranges, (L->nranges + 1) * sizeof(*nr))) == NULL) {
				err_set(e, 500, "", "out of memory");
				goto out;
			}
			L->ranges = nr;
			L->ranges[L->nranges++] = r;
			L->entries++;
			continue;
		}
		if (!clean_host(s, host, sizeof(host), &dot))
			continue;
		if (put(w, host, strlen(host), (uint8_t)slot, t == WT_HOSTNAME || dot) == -1) {
			err_set(e, 500, "", "out of memory");
			goto out;
		}
		L->entries++;
	}
	str_copy(name_out, namesz, L->name);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

static bool
host_listed(const struct wlset *w, const char *host, size_t n, char *list, size_t listsz)
{
	const char *p = host;
	bool first = true;

	while (n > 0) {
		const struct wlent *en = get(w, p, n);
		if (en && (first || en->covers)) {
			str_copy(list, listsz, w->lists[en->list].name);
			return true;
		}
		{
			const char *dot = memchr(p, '.', n);
			if (dot == NULL)
				break;
			n -= (size_t)(dot + 1 - p);
			p = dot + 1;
		}
		first = false;
	}
	return false;
}

bool
wl_match(struct wlset *w, const char *key, char *list, size_t listsz)
{
	if (w == NULL)
		return false;
	if (strncmp(key, "domain:", 7) == 0)
		return host_listed(w, key + 7, strlen(key + 7), list, listsz);
	if (strncmp(key, "url:", 4) == 0) {
		const char *h = strstr(key + 4, "://"), *end;
		size_t n;
		if (h == NULL)
			return false;
		h += 3;
		end = h + strcspn(h, ":/?#");
		n = (size_t)(end - h);
		if (*end == ':')
			end += strcspn(end, "/?#");
		/* Only a site's home page: a path names something specific. */
		if (!(*end == '\0' || strcmp(end, "/") == 0))
			return false;
		return host_listed(w, h, n, list, listsz);
	}
	if (strncmp(key, "ip:", 3) == 0) {
		unsigned char a[16];
		int fam;
		const char *v = key + 3;
		const struct wlent *en = get(w, v, strlen(v));
		if (en && w->lists[en->list].type == WT_STRING) {
			str_copy(list, listsz, w->lists[en->list].name);
			return true;
		}
		if (inet_pton(AF_INET, v, a) == 1)
			fam = 4;
		else if (inet_pton(AF_INET6, v, a) == 1)
			fam = 6;
		else
			return false;
		for (int k = 0; k < WL_MAX_LISTS; k++)
			for (size_t r = 0; w->lists[k].used && r < w->lists[k].nranges; r++)
				if (in_range(&w->lists[k].ranges[r], fam, a)) {
					str_copy(list, listsz, w->lists[k].name);
					return true;
				}
	}
	return false;
}

json_t *
wl_describe(struct wlset *w)
{
	static const char *const tn[] = { "hostname", "string", "cidr" };
	json_t *a = json_array();

	for (int k = 0; w && k < WL_MAX_LISTS; k++)
		if (w->lists[k].used)
			json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s}", "name", w->lists[k].name,
			    "type", tn[w->lists[k].type], "entries", (json_int_t)w->lists[k].entries,
			    "description", w->lists[k].description));
	return a;
}
