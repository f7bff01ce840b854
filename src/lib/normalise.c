/* normalise.c - selector normalisation (DESIGN.md §2; the canonical form of
 * each type and every choice made here is in docs/internals/normalise.md).
 *
 * Every normaliser writes into the fixed buffers of struct norm_out through a
 * bounded key builder (struct kb); nothing is allocated on the common path.
 * libidn2 allocates only for non-ASCII host labels, libphonenumber inside
 * its C++ shim. Shared state (the public suffix list, libphonenumber's
 * metadata, the Keccak tables) is built once in normalise_init() and only
 * read afterwards, so normalise() is thread-safe after it. */
#include "normalise.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[SEL__N] = {
	"phone", "bank_account", "iban", "ewallet", "crypto", "url", "domain",
	"email", "ip", "handle", "imei", "national_id", "passport"
};

static const psl_ctx_t *g_psl;
static bool g_psl_owned;
static uint64_t keccak_rc[24];
static void kclass_init(void);
static unsigned keccak_rot[25];

/* ---------------------------------------------------------------- helpers */

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_UPPER(c) ((c) >= 'A' && (c) <= 'Z')
#define IS_LOWER(c) ((c) >= 'a' && (c) <= 'z')
#define IS_ALPHA(c) (IS_UPPER(c) || IS_LOWER(c))
#define IS_ALNUM(c) (IS_ALPHA(c) || IS_DIGIT(c))
#define IS_HEX(c)   (IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define TO_LOWER(c) (IS_UPPER(c) ? (char)((c) + 32) : (char)(c))
#define TO_UPPER(c) (IS_LOWER(c) ? (char)((c) - 32) : (char)(c))
#define IS_WS(c)    ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || \
                     (c) == '\v' || (c) == '\f')

/* Bounded key builder over out->key: appends past the end set `over`, which
 * normalise() turns into an "over-long" error. */
struct kb {
	char  *p;
	size_t len, cap;
	bool   over;
};

static void
kb_init(struct kb *k, char *p, size_t cap)
{
	k->p = p;
	k->cap = cap;
	k->len = 0;
	k->over = false;
	p[0] = '\0';
}

static void
kb_add(struct kb *k, const char *s, size_t n)
{
	if (k->over || n >= k->cap - k->len) {
		k->over = true;
		return;
	}
	memcpy(k->p + k->len, s, n);
	k->len += n;
	k->p[k->len] = '\0';
}

static void
kb_adds(struct kb *k, const char *s)
{
	kb_add(k, s, strlen(s));
}

static void
kb_addc(struct kb *k, char c)
{
	kb_add(k, &c, 1);
}

/* Percent-encodes controls, space, non-ASCII and the bytes in `set`. */
static void
kb_pct(struct kb *k, const char *s, size_t n, const char *set)
{
	static const char hexd[] = "0123456789ABCDEF";
	char esc[3];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr(set, c) != NULL) {
			esc[0] = '%';
			esc[1] = hexd[c >> 4];
			esc[2] = hexd[c & 15];
			kb_add(k, esc, 3);
		} else
			kb_addc(k, (char)c);
	}
}

/* Appends s, percent-encoding (lower-case hex) every byte outside [a-z0-9]
 * and `keep`: how a kept invalid value stays in its type's key alphabet. */
static void
kb_enc(struct kb *k, const char *s, size_t n, const char *keep)
{
	static const char hexd[] = "0123456789abcdef";
	char esc[3];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (IS_LOWER(c) || IS_DIGIT(c) || (c != 0 && strchr(keep, c) != NULL))
			kb_addc(k, (char)c);
		else {
			esc[0] = '%';
			esc[1] = hexd[c >> 4];
			esc[2] = hexd[c & 15];
			kb_add(k, esc, 3);
		}
	}
}

/* Appends s lower-cased (ASCII), dropping white space. */
static void
kb_lower(struct kb *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!IS_WS(s[i]))
			kb_addc(k, TO_LOWER(s[i]));
}

/* Marks the value invalid; the first reason found is the one reported. */
static void
bad(struct norm_out *o, const char *why)
{
	if (o->valid) {
		o->valid = false;
		str_copy(o->flag, sizeof(o->flag), why);
	}
}

static void
derive(struct norm_out *o, const char *prefix, const char *v)
{
	struct kb k;

	if (o->nderived >= SIMPUL_MAX_DERIVED)
		return;
	kb_init(&k, o->derived[o->nderived], sizeof(o->derived[0]));
	kb_adds(&k, prefix);
	kb_adds(&k, v);
	if (!k.over && strcmp(o->derived[o->nderived], o->key) != 0)
		o->nderived++;
}

/* Length of white space (ASCII, NBSP, ideographic space, zero-width space,
 * BOM) at s, or 0. */
static size_t
ws_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && IS_WS(s[0]))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (n >= 3 && ((s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x8b) ||
	    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)))
		return 3;
	return 0;
}

static size_t
ws_len_back(const unsigned char *s, size_t n)
{
	if (n >= 1 && IS_WS(s[n - 1]))
		return 1;
	if (n >= 2 && ws_len(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && ws_len(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

static bool
ieq(const char *a, size_t n, const char *lit)
{
	size_t m = strlen(lit);

	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++)
		if (TO_LOWER(a[i]) != lit[i])
			return false;
	return true;
}

static bool
iprefix(const char *a, size_t n, const char *lit)
{
	size_t m = strlen(lit);

	return n >= m && ieq(a, m, lit);
}

/* Canonical lower-case name from a free-form companion ("Touch 'n Go",
 * "BEP-20"): ASCII letters and digits only. */
static void
simple_name(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	for (; s != NULL && *s && o + 1 < outsz; s++)
		if (IS_ALNUM(*s))
			out[o++] = TO_LOWER(*s);
	out[o] = '\0';
}

struct alias {
	const char *from, *to;
};

static const char *
alias_find(const struct alias *a, const char *name)
{
	for (; a->from != NULL; a++)
		if (strcmp(a->from, name) == 0)
			return a->to;
	return NULL;
}

/* One call's working state. */
struct nc {
	const struct norm_in *in;
	struct norm_out *out;
	struct kb k;
	char *v;          /* trimmed value, NUL-terminated copy */
	size_t n;
	char cc[3];       /* upper-case country, or "" */
};

/* ----------------------------------------------------------------- phone */

/* 1: E.164 written; 0: kept as raw digits (flag set). */
static int
phone_into(struct nc *c, const char *v, struct kb *k, bool raw_prefix)
{
	char e164[48];
	int r;

	r = phone_e164(v, c->cc[0] ? c->cc : NULL, e164, sizeof(e164));
	if (r == 1) {
		kb_adds(k, raw_prefix ? "phone:" : "");
		kb_adds(k, e164);
		return 1;
	}
	if (!c->cc[0] && v[0] != '+')
		bad(c->out, "national number without country");
	else if (r == 0)
		bad(c->out, "not a valid number for its region");
	else
		bad(c->out, "not a phone number");
	kb_adds(k, raw_prefix ? "phone_raw:" : "");
	for (const char *p = v; *p; p++)
		if (IS_DIGIT(*p))
			kb_addc(k, *p);
	return 0;
}

static int
norm_phone(struct nc *c, struct err *e)
{
	size_t nd = 0;

	for (size_t i = 0; i < c->n; i++)
		nd += IS_DIGIT(c->v[i]);
	if (phone_into(c, c->v, &c->k, true) == 0 && nd == 0) {
		err_set(e, 400, "value", "a phone number needs digits");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ hosts */

enum host_kind { HOST_NAME, HOST_IPV4, HOST_IPV6 };

/* Normalises a host: refangs "[.]", maps ideographic full stops, lower-cases,
 * converts non-ASCII labels to punycode (UTS #46 non-transitional, as
 * WHATWG), drops one trailing dot, canonicalises IP literals. Writes the
 * result (best effort when invalid) into out and returns NULL, or the reason
 * it is invalid. */
/* WHATWG's IPv4 parser: 1 to 4 parts, each decimal, 0x-hex or 0-octal, the
 * last filling the remaining bytes (so 3232235777, 0x7f.1 and 0177.0.0.1 are
 * addresses, as every browser reads them). 1 when an address, 0 when the
 * host does not end in a number, -1 when it does but is not an address. */
static int
whatwg_ipv4(const char *s, uint32_t *addr)
{
	uint64_t part[4];
	const char *last, *p = s;
	size_t n = strlen(s);
	int np = 0;
	bool num = true;

	last = strrchr(s, '.');
	last = last ? last + 1 : s;
	if (*last == '\0')
		return 0;
	if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
		for (const char *q = last + 2; *q; q++)
			num = num && IS_HEX(*q);
	} else {
		for (const char *q = last; *q; q++)
			num = num && IS_DIGIT(*q);
	}
	if (!num)
		return 0;
	while (p <= s + n) {
		const char *end = strchr(p, '.');
		size_t len;
		uint64_t v = 0;
		unsigned base = 10;
		if (end == NULL)
			end = s + n;
		len = (size_t)(end - p);
		if (np == 4 || len == 0)
			return -1;
		if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			p += 2;
			len -= 2;
		} else if (len >= 2 && p[0] == '0') {
			base = 8;
			p++;
			len--;
		}
		for (size_t i = 0; i < len; i++) {
			unsigned d;
			if (IS_DIGIT(p[i]))
				d = (unsigned)(p[i] - '0');
			else if (base == 16 && IS_HEX(p[i]))
				d = (unsigned)(TO_LOWER(p[i]) - 'a' + 10);
			else
				return -1;
			if (d >= base)
				return -1;
			v = v * base + d;
			if (v > 0xffffffffull)
				return -1;
		}
		part[np++] = v;
		p = end + 1;
	}
	for (int i = 0; i < np - 1; i++)
		if (part[i] > 255)
			return -1;
	if (part[np - 1] >= (1ull << (8 * (5 - np))))
		return -1;
	*addr = (uint32_t)part[np - 1];
	for (int i = 0; i < np - 1; i++)
		*addr += (uint32_t)(part[i] << (8 * (3 - i)));
	return 1;
}

static const char *
host_norm(const char *h, size_t n, char *out, size_t outsz, enum host_kind *kind,
    bool strict)
{
	char tmp[SIMPUL_MAX_VALUE_LEN + 1];
	struct kb k;
	const char *why = NULL;
	size_t t = 0, i, start;
	bool nonascii = false;

	*kind = HOST_NAME;
	kb_init(&k, out, outsz);
	for (i = 0; i < n && t + 1 < sizeof(tmp); i++) {
		const unsigned char *u = (const unsigned char *)h + i;
		if (i + 2 < n && (h[i] == '[' || h[i] == '(' || h[i] == '{') &&
		    h[i + 1] == '.' && (h[i + 2] == ']' || h[i + 2] == ')' || h[i + 2] == '}')) {
			tmp[t++] = '.';
			i += 2;
		} else if (i + 2 < n && ((u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x82) ||
		    (u[0] == 0xef && u[1] == 0xbc && u[2] == 0x8e) ||
		    (u[0] == 0xef && u[1] == 0xbd && u[2] == 0xa1))) {
			tmp[t++] = '.';
			i += 2;
		} else {
			nonascii = nonascii || u[0] >= 0x80;
			tmp[t++] = TO_LOWER(h[i]);
		}
	}
	tmp[t] = '\0';
	if (t == 0)
		return "empty host";

	if (tmp[0] == '[') {
		struct in6_addr a6;
		char buf[INET6_ADDRSTRLEN];
		if (tmp[t - 1] == ']') {
			tmp[t - 1] = '\0';
			if (inet_pton(AF_INET6, tmp + 1, &a6) == 1 &&
			    inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) != NULL) {
				*kind = HOST_IPV6;
				kb_addc(&k, '[');
				kb_adds(&k, buf);
				kb_addc(&k, ']');
				return NULL;
			}
			tmp[t - 1] = ']';
		}
		kb_enc(&k, tmp, t, "[]:.-_");
		return "bad IPv6 address";
	}
	if (t > 1 && tmp[t - 1] == '.')
		tmp[--t] = '\0';

	/* Label by label, so an ASCII label never goes through IDNA (which
	 * would reject real names like r3---sn-abc.googlevideo.com). */
	for (start = 0; start <= t; start = i + 1) {
		bool na = false;
		for (i = start; i < t && tmp[i] != '.'; i++)
			na = na || (unsigned char)tmp[i] >= 0x80;
		if (i == start)
			why = why ? why : "empty label in host";
		{
			char lab[SIMPUL_MAX_VALUE_LEN + 1];
			uint8_t *res = NULL;
			const char *txt = tmp + start;
			size_t tl = i - start;
			if (na || (tl >= 4 && memcmp(txt, "xn--", 4) == 0)) {
				memcpy(lab, txt, tl);
				lab[tl] = '\0';
				if (idn2_lookup_u8((const uint8_t *)lab, &res,
				    IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK && res != NULL) {
					txt = (const char *)res;
					tl = strlen(txt);
				} else
					why = why ? why : "not a valid internationalised name";
			}
			/* IDNA maps some code points (soft hyphen, variation
			 * selectors) to nothing: a label can end up empty. */
			if (tl == 0)
				why = why ? why : "empty label in host";
			if (tl > 63)
				why = why ? why : "host label longer than 63";
			/* LDH (RFC 1123), as IDNA checks for non-ASCII labels. */
			if (strict && tl > 0 && (txt[0] == '-' || txt[tl - 1] == '-'))
				why = why ? why : "label starts or ends with '-'";
			/* Also after IDNA: UTS #46 without STD3 rules lets ':' and
			 * other forbidden host code points through. */
			for (size_t j = 0; j < tl; j++)
				if (!IS_LOWER(txt[j]) && !IS_DIGIT(txt[j]) && txt[j] != '-' &&
				    txt[j] != '_' && txt[j] != '.') {
					why = why ? why : "bad character in host";
					break;
				}
			kb_enc(&k, txt, tl, "-_.");
			idn2_free(res);
		}
		if (i < t)
			kb_addc(&k, '.');
	}
	(void)nonascii;
	if (k.over)
		return "host too long";
	if (k.len > 253)
		why = why ? why : "host longer than 253";

	/* A host ending in a number is an IPv4 address (WHATWG). */
	{
		uint32_t a;
		int r = whatwg_ipv4(out, &a);
		if (r == 1) {
			struct in_addr a4;
			char buf[INET_ADDRSTRLEN];
			a4.s_addr = htonl(a);
			inet_ntop(AF_INET, &a4, buf, sizeof(buf));
			*kind = HOST_IPV4;
			str_copy(out, outsz, buf);
			return NULL;
		}
		if (r == -1)
			return "bad IPv4 address";
	}
	return why;
}

/* The registrable domain per the whole public suffix list (private section
 * included), or NULL when the host is itself a public suffix. */
static const char *
registrable(const char *host)
{
	return psl_registrable_domain(g_psl, host);
}

static bool
tld_known(const char *host)
{
	const char *last = strrchr(host, '.');

	last = last ? last + 1 : host;
	return psl_is_public_suffix2(g_psl, last, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) == 1;
}

static int
norm_domain(struct nc *c, struct err *e)
{
	char host[SIMPUL_MAX_KEY_LEN + 1];
	enum host_kind kind;
	const char *why, *reg;
	char *v = c->v;
	size_t n = c->n;

	/* A pasted URL or e-mail address: take its host. */
	{
		char *p = strstr(v, "://");
		if (p != NULL) {
			v = p + 3;
			n = strcspn(v, "/\\?#");
		}
		char *at = memchr(v, '@', n);
		if (at != NULL) {
			n -= (size_t)(at + 1 - v);
			v = at + 1;
		}
		/* host/path and host:port give the host alone; a bare "host?"
		 * stays malformed (as a URL parser without a scheme sees it). */
		{
			size_t m = 0;
			while (m < n && v[m] != '/' && v[m] != '\\' &&
			    !(v[m] == ':' && (v != c->v || (m + 1 < n && IS_DIGIT(v[m + 1])))))
				m++;
			n = m;
		}
	}
	why = host_norm(v, n, host, sizeof(host), &kind, true);
	if (why == NULL && kind != HOST_NAME)
		why = "an IP address, not a domain";
	if (why == NULL && !tld_known(host))
		why = "unknown top-level domain";
	if (why != NULL)
		bad(c->out, why);
	kb_adds(&c->k, "domain:");
	kb_adds(&c->k, host);
	if (c->out->valid && (reg = registrable(host)) != NULL)
		derive(c->out, "domain:", reg);
	(void)e;
	return 0;
}

/* -------------------------------------------------------------------- url */

struct scheme {
	const char *name;
	const char *port;
};

static const struct scheme web_schemes[] = {
	{ "http", "80" }, { "https", "443" }, { "ws", "80" }, { "wss", "443" },
	{ "ftp", "21" }, { NULL, NULL }
};

static bool
seg_is(const char *s, size_t n, int dots)
{
	if (dots == 1)
		return ieq(s, n, ".") || ieq(s, n, "%2e");
	return ieq(s, n, "..") || ieq(s, n, ".%2e") || ieq(s, n, "%2e.") ||
	    ieq(s, n, "%2e%2e");
}

/* Appends a path with dot segments resolved and WHATWG's path
 * percent-encode set applied; '\\' separates like '/'. */
static void
url_path(struct kb *k, const char *p, size_t n)
{
	size_t base = k->len, i = 0;

	while (i < n) {
		size_t j = i + 1;
		while (j < n && p[j] != '/' && p[j] != '\\')
			j++;
		const char *seg = p + i + 1;
		size_t sl = j - i - 1;
		if (seg_is(seg, sl, 1)) {
			if (j >= n)
				kb_addc(k, '/');
		} else if (seg_is(seg, sl, 2)) {
			if (!k->over) {
				while (k->len > base && k->p[k->len - 1] != '/')
					k->len--;
				if (k->len > base)
					k->len--;
				k->p[k->len] = '\0';
			}
			if (j >= n)
				kb_addc(k, '/');
		} else {
			kb_addc(k, '/');
			kb_pct(k, seg, sl, "\"<>`{}");
		}
		i = j;
	}
	if (k->len == base)
		kb_addc(k, '/');
}

static int
norm_url(struct nc *c, struct err *e)
{
	char buf[SIMPUL_MAX_VALUE_LEN + 16], host[SIMPUL_MAX_KEY_LEN + 1];
	char scheme[16];
	const struct scheme *sc = NULL;
	const char *why, *reg, *p, *end, *auth, *aend, *at, *hp, *hend, *port = NULL;
	size_t n = 0, sl = 0, portn = 0;
	enum host_kind kind;

	/* WHATWG removes tab and newline anywhere. */
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] != '\t' && c->v[i] != '\n' && c->v[i] != '\r')
			buf[n++] = c->v[i];
	buf[n] = '\0';
	end = buf + n;

	while (sl < n && sl < sizeof(scheme) - 1 &&
	    (IS_ALNUM(buf[sl]) || (sl > 0 && strchr("+-.", buf[sl]) != NULL)))
		sl++;
	if (sl > 0 && sl < n && buf[sl] == ':' && IS_ALPHA(buf[0]) &&
	    memchr(buf, '.', sl) == NULL) {
		for (size_t i = 0; i < sl; i++)
			scheme[i] = TO_LOWER(buf[i]);
		scheme[sl] = '\0';
		/* Defanged indicators: hxxp, hxxps. */
		if (strcmp(scheme, "hxxp") == 0)
			memcpy(scheme, "http", 5);
		else if (strcmp(scheme, "hxxps") == 0)
			memcpy(scheme, "https", 6);
		for (sc = web_schemes; sc->name && strcmp(sc->name, scheme) != 0; sc++)
			;
		if (sc->name == NULL) {
			/* mailto:, tg:, javascript: ... kept, not parsed. */
			bad(c->out, "not a web URL");
			kb_adds(&c->k, "url:");
			kb_adds(&c->k, scheme);
			kb_pct(&c->k, buf + sl, n - sl, "\"<>`{}");
			return 0;
		}
		p = buf + sl + 1;
	} else {
		/* No scheme: what victims paste ("bit.ly/x") is read as http. */
		sc = &web_schemes[0];
		p = buf;
	}
	while (p < end && (*p == '/' || *p == '\\'))
		p++;
	auth = p;
	aend = auth + strcspn(auth, "/\\?#");
	at = NULL;
	for (const char *q = auth; q < aend; q++)
		if (*q == '@')
			at = q;
	hp = at ? at + 1 : auth;
	if (hp < aend && *hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(aend - hp));
		hend = rb ? rb + 1 : aend;
	} else {
		hend = memchr(hp, ':', (size_t)(aend - hp));
		if (hend == NULL)
			hend = aend;
	}
	if (hend < aend && *hend == ':') {
		port = hend + 1;
		portn = (size_t)(aend - port);
	}
	if (hend == hp) {
		bad(c->out, "no host");
		host[0] = '\0';
		kind = HOST_NAME;
	} else if ((why = host_norm(hp, (size_t)(hend - hp), host, sizeof(host), &kind,
	    false)) != NULL)
		bad(c->out, why);

	kb_adds(&c->k, "url:");
	kb_adds(&c->k, sc->name);
	kb_adds(&c->k, "://");
	if (at != NULL) {
		kb_pct(&c->k, auth, (size_t)(at - auth), "@");
		kb_addc(&c->k, '@');
	}
	kb_adds(&c->k, host);
	if (port != NULL && portn > 0) {
		size_t i = 0;
		bool digits = true;
		while (i + 1 < portn && port[i] == '0')
			i++;
		for (size_t j = i; j < portn; j++)
			digits = digits && IS_DIGIT(port[j]);
		if (!digits || portn - i > 5 ||
		    (portn - i == 5 && memcmp(port + i, "65535", 5) > 0)) {
			bad(c->out, "bad port");
			kb_addc(&c->k, ':');
			kb_pct(&c->k, port, portn, "");
		} else if (!(portn - i == strlen(sc->port) &&
		    memcmp(port + i, sc->port, portn - i) == 0)) {
			kb_addc(&c->k, ':');
			kb_add(&c->k, port + i, portn - i);
		}
	}
	p = aend;
	{
		const char *q = p + strcspn(p, "?#");
		url_path(&c->k, p, (size_t)(q - p));
		p = q;
	}
	if (*p == '?') {
		const char *f = strchr(p, '#');
		size_t qn = f ? (size_t)(f - p) : strlen(p);
		kb_pct(&c->k, p, qn, "\"<>'");
	}
	if (kind == HOST_NAME && host[0] && c->out->valid && (reg = registrable(host)) != NULL)
		derive(c->out, "domain:", reg);
	else if (kind == HOST_IPV4)
		derive(c->out, "ip:", host);
	else if (kind == HOST_IPV6) {
		host[strlen(host) - 1] = '\0';
		derive(c->out, "ip:", host + 1);
	}
	(void)e;
	return 0;
}

/* ------------------------------------------------------------------ email */

static int
norm_email(struct nc *c, struct err *e)
{
	char host[SIMPUL_MAX_KEY_LEN + 1];
	enum host_kind kind;
	const char *v = c->v, *at = NULL, *why;
	size_t n = c->n, ln;

	if (iprefix(v, n, "mailto:")) {
		v += 7;
		n -= 7;
		n = strcspn(v, "?");
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] == '@')
			at = v + i;
	kb_adds(&c->k, "email:");
	if (at == NULL) {
		bad(c->out, "no @");
		kb_lower(&c->k, v, n);
		return 0;
	}
	ln = (size_t)(at - v);
	if (ln == 0)
		bad(c->out, "empty local part");
	else if (ln > 64)
		bad(c->out, "local part longer than 64");
	for (size_t i = 0; i < ln; i++)
		if (IS_WS(v[i]) || v[i] == '@') {
			bad(c->out, "white space in local part");
			break;
		}
	why = host_norm(at + 1, n - ln - 1, host, sizeof(host), &kind, true);
	if (why == NULL && kind == HOST_NAME && !tld_known(host))
		why = "unknown top-level domain";
	if (why != NULL)
		bad(c->out, why);
	if (strcmp(host, "gmail.com") == 0 || strcmp(host, "googlemail.com") == 0) {
		/* Google documents that dots and case do not matter and that
		 * +anything reaches the same mailbox. */
		for (size_t i = 0; i < ln && v[i] != '+'; i++)
			if (v[i] != '.' && !IS_WS(v[i]))
				kb_addc(&c->k, TO_LOWER(v[i]));
		kb_adds(&c->k, "@gmail.com");
		return 0;
	}
	for (size_t i = 0; i < ln; i++)
		if (!IS_WS(v[i]))
			kb_addc(&c->k, v[i]);
	kb_addc(&c->k, '@');
	kb_adds(&c->k, host);
	(void)e;
	return 0;
}

/* --------------------------------------------------------------------- ip */

static int
norm_ip(struct nc *c, struct err *e)
{
	char addr[SIMPUL_MAX_VALUE_LEN + 1], buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash;
	size_t an = 0, i;
	int af = 0, bits = -1, maxbits;

	/* Refang [.] and take a bracketed IPv6 literal. */
	for (i = 0; i < c->n && c->v[i] != '/'; i++) {
		if (c->v[i] == '[' && i + 2 < c->n && c->v[i + 1] == '.' && c->v[i + 2] == ']') {
			addr[an++] = '.';
			i += 2;
		} else if (c->v[i] != '[' && c->v[i] != ']' && !IS_WS(c->v[i]))
			addr[an++] = TO_LOWER(c->v[i]);
	}
	addr[an] = '\0';
	slash = i < c->n ? c->v + i : NULL;
	if (inet_pton(AF_INET, addr, bin) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, addr, bin) == 1)
		af = AF_INET6;
	maxbits = af == AF_INET ? 32 : 128;
	if (af != 0 && slash != NULL) {
		int64_t b;
		const char *bs = slash + 1;
		size_t bn = c->n - (size_t)(bs - c->v);
		if (bn == 0 || bn > 3 || parse_i64(bs, bn, &b) == -1 || b < 0 || b > maxbits)
			af = -1;
		else
			bits = (int)b;
	}
	kb_adds(&c->k, "ip:");
	if (af <= 0) {
		bad(c->out, af == 0 ? "not an IP address" : "bad prefix length");
		kb_enc(&c->k, addr, an, ".:");
		if (slash != NULL) {
			char tail[SIMPUL_MAX_VALUE_LEN + 1];
			size_t tn = 0;
			for (const char *q = slash; q < c->v + c->n; q++)
				tail[tn++] = TO_LOWER(*q);
			kb_enc(&c->k, tail, tn, "./:");
		}
		return 0;
	}
	inet_ntop(af, bin, buf, sizeof(buf));
	kb_adds(&c->k, buf);
	if (bits >= 0 && bits < maxbits) {
		char pfx[8];
		for (int b = bits; b < maxbits; b++)
			if (bin[b / 8] & (0x80 >> (b % 8))) {
				bad(c->out, "host bits set in a range");
				break;
			}
		snprintf(pfx, sizeof(pfx), "/%d", bits);
		kb_adds(&c->k, pfx);
	}
	(void)e;
	return 0;
}

/* ------------------------------------------------------------------- iban */

/* ISO 13616 lengths from the SWIFT IBAN registry. */
static const char iban_lengths[] =
    "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27"
    "DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22"
    "IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MK19"
    "MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29PT25QA29RO24RS22RU33SA24SC31"
    "SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20YE30";

static int
iban_length(const char *cc)
{
	for (const char *p = iban_lengths; *p; p += 4)
		if (p[0] == cc[0] && p[1] == cc[1])
			return (p[2] - '0') * 10 + (p[3] - '0');
	return -1;
}

static bool
iban_mod97(const char *s, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[(i + 4) % n];
		if (IS_DIGIT(ch))
			r = (r * 10 + (unsigned)(ch - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	return r == 1;
}

static int
norm_iban(struct nc *c, struct err *e)
{
	char s[SIMPUL_MAX_VALUE_LEN + 1];
	size_t n = 0, i = 0;
	bool badch = false;
	int want;

	if (iprefix(c->v, c->n, "iban"))
		i = 4;
	for (; i < c->n; i++) {
		char ch = c->v[i];
		if (IS_ALNUM(ch))
			s[n++] = TO_UPPER(ch);
		else if (!IS_WS(ch) && ch != '-' && ch != '.' && ch != ':')
			badch = true;
	}
	s[n] = '\0';
	if (n == 0) {
		err_set(e, 400, "value", "an IBAN needs letters and digits");
		return -1;
	}
	if (badch)
		bad(c->out, "bad character");
	if (n < 5 || !IS_UPPER(s[0]) || !IS_UPPER(s[1]) || !IS_DIGIT(s[2]) || !IS_DIGIT(s[3]))
		bad(c->out, "not an IBAN (CC99...)");
	else if ((want = iban_length(s)) == -1)
		bad(c->out, "country does not use IBAN");
	else if ((size_t)want != n)
		bad(c->out, "wrong length for its country");
	else if (!iban_mod97(s, n))
		bad(c->out, "bad check digits");
	else if ((s[2] == '0' && s[3] <= '1') || (s[2] == '9' && s[3] == '9'))
		bad(c->out, "bad check digits");
	kb_adds(&c->k, "iban:");
	kb_adds(&c->k, s);
	return 0;
}

/* ----------------------------------------------------------- bank account */

static bool
bic_like(const char *b, size_t n)
{
	if (n != 8 && n != 11)
		return false;
	for (size_t i = 0; i < 6; i++)
		if (!IS_UPPER(b[i]))
			return false;
	for (size_t i = 6; i < n; i++)
		if (!IS_ALNUM(b[i]))
			return false;
	return true;
}

static int
norm_bank(struct nc *c, struct err *e)
{
	char bank[40], cc[3];
	size_t bn = 0, nd = 0;
	bool letters = false, badch = false;

	if (c->in->bank != NULL) {
		for (const char *p = c->in->bank; *p; p++) {
			if (!IS_ALNUM(*p))
				continue;
			if (bn + 1 >= sizeof(bank)) {
				err_set(e, 400, "bank", "bank code longer than %zu", sizeof(bank) - 1);
				return -1;
			}
			bank[bn++] = TO_UPPER(*p);
		}
	}
	bank[bn] = '\0';
	str_copy(cc, sizeof(cc), c->cc);
	if (bic_like(bank, bn)) {
		bank[8] = '\0';   /* BIC8: the branch code does not name the bank */
		bn = 8;
		if (!cc[0]) {
			cc[0] = bank[4];
			cc[1] = bank[5];
			cc[2] = '\0';
		}
	}
	if (!cc[0])
		bad(c->out, "no country");
	if (bn == 0)
		bad(c->out, "no bank");
	if (cc[0] && bn == 8 && bic_like(bank, 8) && (cc[0] != bank[4] || cc[1] != bank[5]))
		bad(c->out, "country differs from the BIC's");
	kb_adds(&c->k, "bank_account:");
	kb_adds(&c->k, cc);
	kb_addc(&c->k, ':');
	kb_adds(&c->k, bank);
	kb_addc(&c->k, ':');
	for (size_t i = 0; i < c->n; i++) {
		char ch = c->v[i];
		if (IS_DIGIT(ch)) {
			kb_addc(&c->k, ch);
			nd++;
		} else if (IS_ALPHA(ch)) {
			kb_addc(&c->k, TO_UPPER(ch));
			letters = true;
			nd++;
		} else if (!IS_WS(ch) && ch != '-' && ch != '.' && ch != '/')
			badch = true;
	}
	if (nd == 0) {
		err_set(e, 400, "value", "an account number needs digits");
		return -1;
	}
	if (badch)
		bad(c->out, "bad character");
	if (letters)
		bad(c->out, "letters in an account number");
	if (nd < 5 || nd > 34)
		bad(c->out, "account number length not 5 to 34");
	return 0;
}

/* ---------------------------------------------------------------- ewallet */

static const struct alias wallet_alias[] = {
	{ "touchngo", "tng" }, { "tngdigital", "tng" }, { "tngd", "tng" },
	{ "tngewallet", "tng" }, { "touchngoewallet", "tng" },
	{ "grab", "grabpay" }, { "true", "truemoney" }, { "truemoneywallet", "truemoney" },
	{ "paymaya", "maya" }, { "shopee", "shopeepay" }, { "spay", "shopeepay" },
	{ "boostewallet", "boost" }, { "momowallet", "momo" }, { "zalo", "zalopay" },
	{ "alipayhk", "alipay" }, { "wechatpay", "wechatpay" }, { "weixinpay", "wechatpay" },
	{ "linepay", "linepay" }, { "rabbitlinepay", "linepay" },
	{ NULL, NULL }
};

static bool
phone_like(const char *v, size_t n)
{
	size_t nd = 0;

	for (size_t i = 0; i < n; i++) {
		if (IS_DIGIT(v[i]))
			nd++;
		else if (!strchr("+()-. ", v[i]) || (v[i] == '+' && i != 0))
			return false;
	}
	return nd >= 7 && nd <= 15;
}

static int
norm_ewallet(struct nc *c, struct err *e)
{
	char prov[48];
	const char *a;

	if (c->in->provider != NULL && strlen(c->in->provider) > 40) {
		err_set(e, 400, "provider", "provider longer than 40");
		return -1;
	}
	simple_name(c->in->provider, prov, sizeof(prov));
	if ((a = alias_find(wallet_alias, prov)) != NULL)
		str_copy(prov, sizeof(prov), a);
	if (!prov[0]) {
		bad(c->out, "no provider");
		str_copy(prov, sizeof(prov), "unknown");
	}
	kb_adds(&c->k, "ewallet:");
	kb_adds(&c->k, prov);
	kb_addc(&c->k, ':');
	if (phone_like(c->v, c->n))
		phone_into(c, c->v, &c->k, false);
	else
		kb_lower(&c->k, c->v, c->n);
	return 0;
}

/* ----------------------------------------------------------------- handle */

struct platform {
	const char *name;
	bool fold;              /* case-insensitive on the platform */
	bool phone;             /* the handle is a phone number */
	const char *alphabet;   /* allowed besides [a-z0-9] after folding; NULL: any */
	int minlen, maxlen;
};

static const struct platform platforms[] = {
	{ "telegram",  true,  false, "_",   5, 32 },
	{ "instagram", true,  false, "._",  1, 30 },
	{ "x",         true,  false, "_",   1, 15 },
	{ "tiktok",    true,  false, "._",  2, 24 },
	{ "facebook",  true,  false, ".",   1, 50 },
	{ "line",      true,  false, "._-", 1, 20 },
	{ "discord",   true,  false, "._",  2, 32 },
	{ "snapchat",  true,  false, "._-", 3, 15 },
	{ "threads",   true,  false, "._",  1, 30 },
	{ "youtube",   true,  false, "._-", 3, 30 },
	{ "wechat",    false, false, "_-",  6, 20 },
	{ "skype",     true,  false, NULL,  1, 64 },
	{ "kakao",     true,  false, NULL,  1, 64 },
	{ "whatsapp",  false, true,  NULL,  1, 32 },
	{ "viber",     false, true,  NULL,  1, 32 },
	{ "signal",    false, true,  NULL,  1, 32 },
	{ "zalo",      false, true,  NULL,  1, 32 },
	{ NULL, false, false, NULL, 0, 0 }
};

static const struct alias platform_alias[] = {
	{ "twitter", "x" }, { "tg", "telegram" }, { "fb", "facebook" },
	{ "ig", "instagram" }, { "wa", "whatsapp" }, { "weixin", "wechat" },
	{ "kakaotalk", "kakao" }, { "lineid", "line" }, { "douyin", "tiktok" },
	{ NULL, NULL }
};

/* Hosts whose first path segment is the handle. */
static const struct alias handle_hosts[] = {
	{ "t.me", "telegram" }, { "telegram.me", "telegram" }, { "telegram.dog", "telegram" },
	{ "instagram.com", "instagram" }, { "x.com", "x" }, { "twitter.com", "x" },
	{ "tiktok.com", "tiktok" }, { "facebook.com", "facebook" }, { "fb.com", "facebook" },
	{ "threads.net", "threads" }, { "youtube.com", "youtube" },
	{ NULL, NULL }
};

static int
norm_handle(struct nc *c, struct err *e)
{
	char plat[48];
	const struct platform *pf;
	const char *a, *v = c->v;
	size_t n = c->n, start;

	if (c->in->platform != NULL && strlen(c->in->platform) > 40) {
		err_set(e, 400, "platform", "platform longer than 40");
		return -1;
	}
	simple_name(c->in->platform, plat, sizeof(plat));
	if ((a = alias_find(platform_alias, plat)) != NULL)
		str_copy(plat, sizeof(plat), a);

	/* A profile link: https://t.me/name, instagram.com/name, ... */
	{
		const char *h = v, *s = strstr(v, "://");
		if (s != NULL)
			h = s + 3;
		if (iprefix(h, n - (size_t)(h - v), "www."))
			h += 4;
		else if (iprefix(h, n - (size_t)(h - v), "m."))
			h += 2;
		for (const struct alias *hh = handle_hosts; hh->from; hh++) {
			size_t hl = strlen(hh->from);
			if (iprefix(h, n - (size_t)(h - v), hh->from) && h[hl] == '/' &&
			    (!plat[0] || strcmp(plat, hh->to) == 0)) {
				str_copy(plat, sizeof(plat), hh->to);
				v = h + hl + 1;
				n = strcspn(v, "/?#");
				break;
			}
		}
	}
	for (pf = platforms; pf->name && strcmp(pf->name, plat) != 0; pf++)
		;
	if (!plat[0]) {
		bad(c->out, "no platform");
		str_copy(plat, sizeof(plat), "unknown");
	}
	kb_adds(&c->k, "handle:");
	kb_adds(&c->k, plat);
	kb_addc(&c->k, ':');
	while (n > 0 && (*v == '@' || *v == '~')) {
		v++;
		n--;
	}
	if (n == 0) {
		err_set(e, 400, "value", "empty handle");
		return -1;
	}
	if (pf->name != NULL && pf->phone && strcspn(v, "0123456789") < n) {
		char tmp[SIMPUL_MAX_VALUE_LEN + 1];
		memcpy(tmp, v, n);
		tmp[n] = '\0';
		phone_into(c, tmp, &c->k, false);
		return 0;
	}
	start = c->k.len;
	for (size_t i = 0; i < n; i++) {
		if (IS_WS(v[i])) {
			bad(c->out, "white space in handle");
			continue;
		}
		kb_addc(&c->k, (pf->name != NULL && pf->fold) ? TO_LOWER(v[i]) : v[i]);
	}
	if (pf->name != NULL && pf->phone)
		bad(c->out, "not a phone number");
	if (pf->name != NULL && pf->alphabet != NULL && !c->k.over) {
		size_t hl = c->k.len - start;
		for (size_t i = start; i < c->k.len; i++) {
			char ch = c->k.p[i];
			if (!IS_DIGIT(ch) && !IS_LOWER(ch) && !(IS_UPPER(ch) && !pf->fold) &&
			    strchr(pf->alphabet, ch) == NULL) {
				bad(c->out, "character not allowed on the platform");
				break;
			}
		}
		if ((int)hl < pf->minlen || (int)hl > pf->maxlen)
			bad(c->out, "length not allowed on the platform");
	}
	return 0;
}

/* ------------------------------------------------------------------ imei */

static int
luhn_digit(const char *d, size_t n)
{
	int sum = 0;

	/* Check digit for d[0..n): double every second digit from the right. */
	for (size_t i = 0; i < n; i++) {
		int x = d[n - 1 - i] - '0';
		if (i % 2 == 0) {
			x *= 2;
			if (x > 9)
				x -= 9;
		}
		sum += x;
	}
	return (10 - sum % 10) % 10;
}

static int
norm_imei(struct nc *c, struct err *e)
{
	char d[SIMPUL_MAX_VALUE_LEN + 1];
	size_t nd = 0;
	bool badch = false;

	for (size_t i = 0; i < c->n; i++) {
		if (IS_DIGIT(c->v[i]))
			d[nd++] = c->v[i];
		else if (!IS_WS(c->v[i]) && c->v[i] != '-' && c->v[i] != '/' && c->v[i] != '.')
			badch = true;
	}
	d[nd] = '\0';
	if (nd == 0) {
		err_set(e, 400, "value", "an IMEI needs digits");
		return -1;
	}
	if (badch)
		bad(c->out, "bad character");
	if (nd == 14 || nd == 16) {
		/* No check digit, or IMEISV (14 digits + 2 software version):
		 * the device is the first 14 digits plus its Luhn digit. */
		d[14] = (char)('0' + luhn_digit(d, 14));
		d[15] = '\0';
	} else if (nd == 15) {
		if (luhn_digit(d, 14) != d[14] - '0')
			bad(c->out, "bad Luhn check digit");
	} else
		bad(c->out, "not 14 to 16 digits");
	kb_adds(&c->k, "imei:");
	kb_adds(&c->k, d);
	return 0;
}

/* ------------------------------------------------- national id, passport */

static size_t
upper_alnum(const char *v, size_t n, char *out, size_t outsz, bool *badch)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outsz; i++) {
		if (IS_ALNUM(v[i]))
			out[o++] = TO_UPPER(v[i]);
		else if (!IS_WS(v[i]) && v[i] != '-' && v[i] != '/' && v[i] != '.')
			*badch = true;
	}
	out[o] = '\0';
	return o;
}

static bool
mykad_valid(const char *d)
{
	int mm = (d[2] - '0') * 10 + (d[3] - '0');
	int dd = (d[4] - '0') * 10 + (d[5] - '0');
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= mdays[mm - 1];
}

static bool
thai_id_valid(const char *d)
{
	int sum = 0;

	for (int i = 0; i < 12; i++)
		sum += (d[i] - '0') * (13 - i);
	return (11 - sum % 11) % 10 == d[12] - '0';
}

static bool
nric_valid(const char *s)
{
	static const int w[] = { 2, 7, 6, 5, 4, 3, 2 };
	static const char st[] = "JZIHGFEDCBA", fg[] = "XWUTRQPNMLK", m[] = "XWUTRQPNJLK";
	int sum = 0;
	char want;

	for (int i = 0; i < 7; i++)
		sum += (s[i + 1] - '0') * w[i];
	if (s[0] == 'T' || s[0] == 'G')
		sum += 4;
	else if (s[0] == 'M')
		sum += 3;
	if (s[0] == 'S' || s[0] == 'T')
		want = st[sum % 11];
	else if (s[0] == 'F' || s[0] == 'G')
		want = fg[sum % 11];
	else
		want = m[sum % 11];   /* M series (2022): offset 3, own letters */
	return s[8] == want;
}

static int
norm_national_id(struct nc *c, struct err *e)
{
	char s[SIMPUL_MAX_VALUE_LEN + 1];
	const char *type = "ID";
	bool badch = false, digits = true;
	size_t n = upper_alnum(c->v, c->n, s, sizeof(s), &badch);

	if (n == 0) {
		err_set(e, 400, "value", "an identity number needs letters or digits");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		digits = digits && IS_DIGIT(s[i]);
	if (badch)
		bad(c->out, "bad character");
	if (!c->cc[0])
		bad(c->out, "no country");
	if (strcmp(c->cc, "MY") == 0) {
		type = "MYKAD";
		if (n != 12 || !digits)
			bad(c->out, "MyKad is 12 digits");
		else if (!mykad_valid(s))
			bad(c->out, "MyKad date of birth impossible");
	} else if (strcmp(c->cc, "TH") == 0) {
		if (n != 13 || !digits)
			bad(c->out, "Thai ID is 13 digits");
		else if (!thai_id_valid(s))
			bad(c->out, "bad check digit");
	} else if (strcmp(c->cc, "SG") == 0) {
		type = (s[0] == 'S' || s[0] == 'T') ? "NRIC" : "FIN";
		bool shape = n == 9 && strchr("STFGM", s[0]) != NULL && IS_UPPER(s[8]);
		for (size_t i = 1; shape && i < 8; i++)
			shape = IS_DIGIT(s[i]);
		if (!shape)
			bad(c->out, "NRIC/FIN is a letter, 7 digits, a letter");
		else if (!nric_valid(s))
			bad(c->out, "bad check letter");
	}
	kb_adds(&c->k, "national_id:");
	kb_adds(&c->k, c->cc[0] ? c->cc : "XX");
	kb_addc(&c->k, ':');
	kb_adds(&c->k, type);
	kb_addc(&c->k, ':');
	kb_adds(&c->k, s);
	return 0;
}

/* ICAO 9303 check digit over MRZ characters (weights 7, 3, 1). */
static int
mrz_check(const char *s, size_t n)
{
	static const int w[] = { 7, 3, 1 };
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = IS_DIGIT(s[i]) ? s[i] - '0' : IS_UPPER(s[i]) ? s[i] - 'A' + 10 : 0;
		sum += v * w[i % 3];
	}
	return sum % 10;
}

static int
norm_passport(struct nc *c, struct err *e)
{
	char s[SIMPUL_MAX_VALUE_LEN + 1], num[16];
	size_t n = 0;
	bool badch = false, filler = false;

	/* MRZ form: up to 9 characters padded with '<', then the check digit. */
	for (size_t i = 0; i < c->n && n + 1 < sizeof(s); i++) {
		if (IS_ALNUM(c->v[i]) || c->v[i] == '<') {
			filler = filler || c->v[i] == '<';
			s[n++] = TO_UPPER(c->v[i]);
		} else if (!IS_WS(c->v[i]) && c->v[i] != '-')
			badch = true;
	}
	s[n] = '\0';
	if (n == 0) {
		err_set(e, 400, "value", "a passport number needs letters or digits");
		return -1;
	}
	if (badch)
		bad(c->out, "bad character");
	if (!c->cc[0])
		bad(c->out, "no country");
	if (n == 10 && IS_DIGIT(s[9]) && (filler || mrz_check(s, 9) == s[9] - '0')) {
		if (mrz_check(s, 9) != s[9] - '0')
			bad(c->out, "bad check digit");
		s[9] = '\0';
		n = 9;
	}
	{
		size_t o = 0;
		for (size_t i = 0; i < n && o + 1 < sizeof(num); i++)
			if (s[i] != '<')
				num[o++] = s[i];
		num[o] = '\0';
		if (o == 0) {
			err_set(e, 400, "value", "a passport number needs letters or digits");
			return -1;
		}
		if (strlen(s) > 9 + (filler ? 0 : 6))
			bad(c->out, "passport number length");
	}
	kb_adds(&c->k, "passport:");
	kb_adds(&c->k, c->cc[0] ? c->cc : "XX");
	kb_adds(&c->k, ":P:");
	kb_adds(&c->k, num);
	return 0;
}

/* ----------------------------------------------------------------- crypto */

static void
keccak_tables(void)
{
	unsigned x = 1, y = 0, r = 1;

	/* ρ offsets and ι constants computed from their definitions in
	 * FIPS 202 §3.2.2 and §3.2.5 rather than typed in. */
	keccak_rot[0] = 0;
	for (unsigned t = 0; t < 24; t++) {
		unsigned nx = y, ny = (2 * x + 3 * y) % 5;
		keccak_rot[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
		x = nx;
		y = ny;
	}
	for (unsigned i = 0; i < 24; i++) {
		uint64_t rc = 0;
		for (unsigned j = 0; j < 7; j++) {
			/* rc(j + 7i): an LFSR over x^8 + x^6 + x^5 + x^4 + 1. */
			if (r & 1)
				rc |= (uint64_t)1 << ((1u << j) - 1);
			r <<= 1;
			if (r & 0x100)
				r ^= 0x171;
		}
		keccak_rc[i] = rc;
	}
}

static uint64_t
rotl64(uint64_t v, unsigned n)
{
	return n == 0 ? v : (v << n) | (v >> (64 - n));
}

static void
keccak_f(uint64_t a[25])
{
	uint64_t b[25], cc[5], d;

	for (int round = 0; round < 24; round++) {
		for (int x = 0; x < 5; x++)
			cc[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (int x = 0; x < 5; x++) {
			d = cc[(x + 4) % 5] ^ rotl64(cc[(x + 1) % 5], 1);
			for (int y = 0; y < 5; y++)
				a[x + 5 * y] ^= d;
		}
		for (int x = 0; x < 5; x++)
			for (int y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] =
				    rotl64(a[x + 5 * y], keccak_rot[x + 5 * y]);
		for (int x = 0; x < 5; x++)
			for (int y = 0; y < 5; y++)
				a[x + 5 * y] = b[x + 5 * y] ^
				    (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
		a[0] ^= keccak_rc[round];
	}
}

void
keccak256(const void *in, size_t n, unsigned char out[32])
{
	enum { RATE = 136 };
	const unsigned char *p = in;
	unsigned char blk[RATE];
	uint64_t a[25] = {0};
	size_t i;

	if (keccak_rc[0] == 0)
		keccak_tables();
	for (;;) {
		size_t take = n < RATE ? n : RATE;
		memset(blk, 0, sizeof(blk));
		memcpy(blk, p, take);
		if (take < RATE) {
			blk[take] ^= 0x01;      /* Keccak padding, not SHA-3's 0x06 */
			blk[RATE - 1] ^= 0x80;
		}
		for (i = 0; i < RATE / 8; i++) {
			uint64_t lane = 0;
			for (int b = 7; b >= 0; b--)
				lane = (lane << 8) | blk[i * 8 + (size_t)b];
			a[i] ^= lane;
		}
		keccak_f(a);
		if (take < RATE)
			break;
		p += RATE;
		n -= RATE;
	}
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(a[i / 8] >> (8 * (i % 8)));
}

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Decodes a 25-byte base58check address (version + 20 + checksum 4).
 * Returns the version byte, -1 when not base58 or not 25 bytes, -2 on a bad
 * checksum. */
static int
base58check25(const char *s, size_t n)
{
	unsigned char buf[25] = {0}, h[32];
	size_t zeros = 0;

	if (n < 26 || n > 35)
		return -1;
	while (zeros < n && s[zeros] == '1')
		zeros++;
	for (size_t i = 0; i < n; i++) {
		const char *q = s[i] ? strchr(b58, s[i]) : NULL;
		unsigned carry;
		if (q == NULL)
			return -1;
		carry = (unsigned)(q - b58);
		for (int j = 24; j >= 0; j--) {
			carry += 58u * buf[j];
			buf[j] = (unsigned char)carry;
			carry >>= 8;
		}
		if (carry != 0)
			return -1;
	}
	/* The leading '1's must be exactly the leading zero bytes. */
	{
		size_t z = 0;
		while (z < 25 && buf[z] == 0)
			z++;
		if (z != zeros)
			return -1;
	}
	crypto_hash_sha256(h, buf, 21);
	crypto_hash_sha256(h, h, 32);
	if (memcmp(h, buf + 21, 4) != 0)
		return -2;
	return buf[0];
}

static const char b32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
bech32_polymod(uint32_t chk, unsigned v)
{
	static const uint32_t g[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	unsigned top = chk >> 25;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= g[i];
	return chk;
}

/* Segwit address check (BIP-173, BIP-350). Writes the lower-cased address
 * into lower. Returns NULL when valid, else the reason; *hrp_len set. */
static const char *
segwit_check(const char *s, size_t n, char *lower, size_t *hrp_len)
{
	unsigned char data[90];
	size_t sep = 0, dn, plen = 0;
	bool up = false, lo = false;
	uint32_t chk = 1, acc = 0;
	unsigned bits = 0;

	*hrp_len = 0;
	if (n < 8 || n > 90)
		return "bad length";
	for (size_t i = 0; i < n; i++) {
		up = up || IS_UPPER(s[i]);
		lo = lo || IS_LOWER(s[i]);
		lower[i] = TO_LOWER(s[i]);
		if (s[i] == '1')
			sep = i;
	}
	lower[n] = '\0';
	*hrp_len = sep;
	if (up && lo)
		return "mixed case";
	if (sep < 1 || sep + 7 > n)
		return "no separator";
	for (size_t i = 0; i < sep; i++)
		chk = bech32_polymod(chk, (unsigned)lower[i] >> 5);
	chk = bech32_polymod(chk, 0);
	for (size_t i = 0; i < sep; i++)
		chk = bech32_polymod(chk, (unsigned)lower[i] & 31);
	dn = n - sep - 1;
	for (size_t i = 0; i < dn; i++) {
		const char *q = strchr(b32, lower[sep + 1 + i]);
		if (q == NULL || lower[sep + 1 + i] == '\0')
			return "bad character";
		data[i] = (unsigned char)(q - b32);
		chk = bech32_polymod(chk, data[i]);
	}
	if (data[0] > 16)
		return "bad witness version";
	if (chk != (data[0] == 0 ? 1u : 0x2bc830a3u))
		return "bad checksum";
	/* Program: 5-bit groups after the version, without the checksum. */
	for (size_t i = 1; i + 6 < dn; i++) {
		acc = (acc << 5) | data[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			plen++;
		}
	}
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		return "bad padding";
	if (plen < 2 || plen > 40 || (data[0] == 0 && plen != 20 && plen != 32))
		return "bad program length";
	return NULL;
}

static const struct alias chain_alias[] = {
	{ "bitcoin", "btc" }, { "xbt", "btc" },
	{ "ethereum", "eth" }, { "erc20", "eth" }, { "evm", "eth" }, { "bsc", "eth" },
	{ "bnb", "eth" }, { "bep20", "eth" }, { "bnbchain", "eth" }, { "polygon", "eth" },
	{ "matic", "eth" }, { "arbitrum", "eth" }, { "arb", "eth" }, { "optimism", "eth" },
	{ "op", "eth" }, { "base", "eth" }, { "avalanche", "eth" }, { "avax", "eth" },
	{ "avaxc", "eth" }, { "fantom", "eth" }, { "ftm", "eth" }, { "linea", "eth" },
	{ "tron", "trx" }, { "trc20", "trx" }, { "usdttrc20", "trx" }, { "usdterc20", "eth" },
	{ "litecoin", "ltc" }, { "dogecoin", "doge" },
	{ NULL, NULL }
};

static int
norm_crypto(struct nc *c, struct err *e)
{
	char want[48], lower[SIMPUL_MAX_VALUE_LEN + 1];
	const char *chain = NULL, *a, *why = NULL, *v = c->v;
	size_t n = c->n, hl;
	int ver;

	if (c->in->chain != NULL && strlen(c->in->chain) > 40) {
		err_set(e, 400, "chain", "chain longer than 40");
		return -1;
	}
	simple_name(c->in->chain, want, sizeof(want));
	if ((a = alias_find(chain_alias, want)) != NULL)
		str_copy(want, sizeof(want), a);
	/* URI forms: bitcoin:ADDR?amount=..., ethereum:0x...@1 */
	{
		const char *col = memchr(v, ':', n);
		if (col != NULL && (iprefix(v, n, "bitcoin:") || iprefix(v, n, "ethereum:") ||
		    iprefix(v, n, "litecoin:") || iprefix(v, n, "tron:"))) {
			n -= (size_t)(col + 1 - v);
			v = col + 1;
			n = strcspn(v, "?@/");
		}
	}

	if (n == 42 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		bool hex = true, up = false, lo = false;
		for (size_t i = 2; i < n; i++) {
			hex = hex && IS_HEX(v[i]);
			up = up || IS_UPPER(v[i]);
			lo = lo || IS_LOWER(v[i]);
			lower[i - 2] = TO_LOWER(v[i]);
		}
		lower[40] = '\0';
		if (hex) {
			chain = "eth";
			if (up && lo) {
				unsigned char h[32];
				keccak256(lower, 40, h);
				for (size_t i = 0; i < 40; i++) {
					int nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
					if (IS_ALPHA(v[i + 2]) && (nib >= 8) != IS_UPPER(v[i + 2])) {
						why = "bad EIP-55 checksum";
						break;
					}
				}
			}
			kb_adds(&c->k, "crypto:eth:0x");
			kb_adds(&c->k, lower);
		}
	}
	if (chain == NULL && (ver = base58check25(v, n)) != -1) {
		switch (ver) {
		case 0x00: case 0x05: chain = "btc"; break;
		case 0x6f: case 0xc4: chain = "btc"; why = "testnet address"; break;
		case 0x41: chain = "trx"; break;
		case 0x30: case 0x32: chain = "ltc"; break;
		case 0x1e: case 0x16: chain = "doge"; break;
		case -2: chain = want[0] ? want : "unknown"; why = "bad base58check checksum"; break;
		default: chain = want[0] ? want : "unknown"; why = "unknown address version"; break;
		}
		kb_adds(&c->k, "crypto:");
		kb_adds(&c->k, chain);
		kb_addc(&c->k, ':');
		kb_add(&c->k, v, n);
	}
	if (chain == NULL && n >= 8 && n <= 90 && memchr(v, '1', n) != NULL) {
		const char *w = segwit_check(v, n, lower, &hl);
		const char *hc = NULL;
		if (hl == 2 && memcmp(lower, "bc", 2) == 0)
			hc = "btc";
		else if (hl == 2 && memcmp(lower, "tb", 2) == 0)
			hc = "btc";
		else if (hl == 4 && memcmp(lower, "bcrt", 4) == 0)
			hc = "btc";
		else if (hl == 3 && memcmp(lower, "ltc", 3) == 0)
			hc = "ltc";
		if (hc != NULL) {
			chain = hc;
			why = w != NULL ? w : (lower[0] != hc[0] ? "testnet address" : NULL);
			kb_adds(&c->k, "crypto:");
			kb_adds(&c->k, chain);
			kb_addc(&c->k, ':');
			kb_adds(&c->k, lower);
		}
	}
	if (chain == NULL) {
		/* Unknown shape: kept as given, flagged. */
		chain = want[0] ? want : "unknown";
		why = want[0] ? "address not checked for this chain" : "chain not recognised";
		kb_adds(&c->k, "crypto:");
		kb_adds(&c->k, chain);
		kb_addc(&c->k, ':');
		for (size_t i = 0; i < n; i++)
			if (!IS_WS(v[i]))
				kb_addc(&c->k, v[i]);
	} else if (want[0] && strcmp(want, chain) != 0 && why == NULL)
		why = "address does not belong to the given chain";
	if (why != NULL)
		bad(c->out, why);
	return 0;
}

/* -------------------------------------------------------------- interface */

const char *
sel_type_name(enum sel_type t)
{
	return (int)t >= 0 && t < SEL__N ? type_names[t] : "?";
}

int
sel_type_parse(const char *s, size_t n)
{
	for (int i = 0; i < SEL__N; i++)
		if (strlen(type_names[i]) == n && memcmp(type_names[i], s, n) == 0)
			return i;
	return -1;
}

int
normalise_init(void)
{
	int rc = -1;

	if (sodium_init() < 0)
		goto out;
	keccak_tables();
	kclass_init();
	if (g_psl == NULL) {
		/* psl_latest() picks the newer of the built-in list and
		 * /usr/share/publicsuffix, both with the private section. */
		if ((g_psl = psl_latest(NULL)) != NULL)
			g_psl_owned = true;
		else
			g_psl = psl_builtin();
	}
	if (g_psl == NULL)
		goto out;
	if (phone_init() == -1)
		goto out;
	rc = 0;
out:
	return rc;
}

void
normalise_shutdown(void)
{
	if (g_psl_owned)
		psl_free((psl_ctx_t *)g_psl);
	g_psl = NULL;
	g_psl_owned = false;
}

int
normalise(const struct norm_in *in, struct norm_out *out, struct err *e)
{
	char val[SIMPUL_MAX_VALUE_LEN + 1];
	const unsigned char *s;
	struct nc c;
	size_t n, w;
	int t, rc = -1;

	out->type[0] = out->key[0] = out->flag[0] = '\0';
	out->valid = true;
	out->nderived = 0;
	if (in == NULL || in->type == NULL ||
	    (t = sel_type_parse(in->type, strlen(in->type))) < 0) {
		err_set(e, 400, "type", "unknown selector type; one of phone, bank_account, "
		    "iban, ewallet, crypto, url, domain, email, ip, handle, imei, "
		    "national_id, passport");
		goto out;
	}
	if (in->value == NULL) {
		err_set(e, 400, "value", "value is required");
		goto out;
	}
	n = strlen(in->value);
	if (n > SIMPUL_MAX_VALUE_LEN) {
		err_set(e, 400, "value", "value longer than %d bytes", SIMPUL_MAX_VALUE_LEN);
		goto out;
	}
	if (!utf8_valid(in->value, n)) {
		err_set(e, 400, "value", "value is not valid UTF-8 text");
		goto out;
	}
	s = (const unsigned char *)in->value;
	while ((w = ws_len(s, n)) > 0) {
		s += w;
		n -= w;
	}
	while ((w = ws_len_back(s, n)) > 0)
		n -= w;
	if (n == 0) {
		err_set(e, 400, "value", "value is empty");
		goto out;
	}
	memcpy(val, s, n);
	val[n] = '\0';

	memset(&c, 0, sizeof(c));
	if (in->country != NULL && in->country[0] != '\0') {
		if (!IS_ALPHA(in->country[0]) || !IS_ALPHA(in->country[1]) ||
		    in->country[2] != '\0') {
			err_set(e, 400, "country", "country must be an ISO 3166-1 alpha-2 code such as MY");
			goto out;
		}
		c.cc[0] = TO_UPPER(in->country[0]);
		c.cc[1] = TO_UPPER(in->country[1]);
	}
	c.in = in;
	c.out = out;
	c.v = val;
	c.n = n;
	kb_init(&c.k, out->key, sizeof(out->key));
	str_copy(out->type, sizeof(out->type), type_names[t]);

	switch ((enum sel_type)t) {
	case SEL_PHONE:        rc = norm_phone(&c, e); break;
	case SEL_BANK_ACCOUNT: rc = norm_bank(&c, e); break;
	case SEL_IBAN:         rc = norm_iban(&c, e); break;
	case SEL_EWALLET:      rc = norm_ewallet(&c, e); break;
	case SEL_CRYPTO:       rc = norm_crypto(&c, e); break;
	case SEL_URL:          rc = norm_url(&c, e); break;
	case SEL_DOMAIN:       rc = norm_domain(&c, e); break;
	case SEL_EMAIL:        rc = norm_email(&c, e); break;
	case SEL_IP:           rc = norm_ip(&c, e); break;
	case SEL_HANDLE:       rc = norm_handle(&c, e); break;
	case SEL_IMEI:         rc = norm_imei(&c, e); break;
	case SEL_NATIONAL_ID:  rc = norm_national_id(&c, e); break;
	case SEL_PASSPORT:     rc = norm_passport(&c, e); break;
	default:               rc = -1; break;
	}
	if (rc == 0 && c.k.over) {
		err_set(e, 400, "value", "canonical form longer than %d bytes", SIMPUL_MAX_KEY_LEN);
		rc = -1;
	}
	if (rc == 0) {
		/* Safety net: a key never holds white space or controls, and
		 * never ends in an empty value. */
		size_t o = 0;
		for (size_t i = 0; out->key[i]; i++)
			if ((unsigned char)out->key[i] > 0x20 && out->key[i] != 0x7f)
				out->key[o++] = out->key[i];
		out->key[o] = '\0';
		if (o == 0 || out->key[o - 1] == ':') {
			err_set(e, 400, "value", "nothing usable in the value");
			rc = -1;
		}
	}
out:
	if (rc == -1) {
		out->key[0] = '\0';
		out->nderived = 0;
	}
	return rc;
}

/* ------------------------------------------------------------- key check */

/* Byte classes for key values, one bit per canonical alphabet. */
enum {
	K_DIGIT = 1, K_UPPER = 2, K_LOWER = 4, K_HOST = 8, K_PRINT = 16, K_IP = 32
};
static unsigned char kclass[256];

static void
kclass_init(void)
{
	for (int ch = 0; ch < 256; ch++) {
		unsigned char m = 0;
		if (IS_DIGIT(ch)) m |= K_DIGIT | K_HOST | K_IP;
		if (IS_UPPER(ch)) m |= K_UPPER;
		if (IS_LOWER(ch)) m |= K_LOWER | K_HOST;
		if (ch == '-' || ch == '.' || ch == '_') m |= K_HOST;
		/* Kept invalid addresses: any lower-case letter, '%' escapes. */
		if (IS_LOWER(ch) || ch == '.' || ch == ':' || ch == '/' || ch == '%')
			m |= K_IP;
		if (ch > 0x20 && ch != 0x7f) m |= K_PRINT;
		kclass[ch] = m;
	}
}

static bool
all_of(const char *s, size_t n, unsigned mask)
{
	for (size_t i = 0; i < n; i++)
		if ((kclass[(unsigned char)s[i]] & mask) == 0)
			return false;
	return true;
}

/* Segments of [A-Z0-9] separated by exactly `colons` colons. */
static bool
upper_segments(const char *s, size_t n, int colons)
{
	int seen = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':')
			seen++;
		else if ((kclass[(unsigned char)s[i]] & (K_UPPER | K_DIGIT)) == 0)
			return false;
	}
	return seen == colons && s[n - 1] != ':';
}

int
normalise_key_check(const char *key, size_t n, struct err *e)
{
	const char *colon, *v;
	size_t tn, vn;
	bool ok = false;
	int t;

	if (kclass['a'] == 0)
		kclass_init();
	if (n == 0 || n > SIMPUL_MAX_KEY_LEN || (colon = memchr(key, ':', n)) == NULL) {
		err_set(e, 400, "key", "a key is type:value, at most %d bytes", SIMPUL_MAX_KEY_LEN);
		return -1;
	}
	tn = (size_t)(colon - key);
	v = colon + 1;
	vn = n - tn - 1;
	if (vn == 0 || !all_of(v, vn, K_PRINT)) {
		err_set(e, 400, "key", "a key value is non-empty, without spaces or controls");
		return -1;
	}
	if (tn == 9 && memcmp(key, "phone_raw", 9) == 0) {
		ok = all_of(v, vn, K_DIGIT);
		goto out;
	}
	switch ((t = sel_type_parse(key, tn))) {
	case SEL_PHONE:
		ok = vn >= 3 && vn <= 18 && v[0] == '+' && v[1] != '0' && all_of(v + 1, vn - 1, K_DIGIT);
		break;
	case SEL_IBAN:
		ok = all_of(v, vn, K_UPPER | K_DIGIT);
		break;
	case SEL_BANK_ACCOUNT:
		ok = upper_segments(v, vn, 2);
		break;
	case SEL_NATIONAL_ID:
	case SEL_PASSPORT:
		ok = upper_segments(v, vn, 2) && vn > 3 && v[2] == ':';
		break;
	case SEL_IMEI:
		ok = all_of(v, vn, K_DIGIT);
		break;
	case SEL_DOMAIN:
		/* Valid hosts are [a-z0-9._-]; kept invalid ones may hold UTF-8. */
		ok = true;
		for (size_t i = 0; i < vn && ok; i++)
			ok = (kclass[(unsigned char)v[i]] & K_HOST) || v[i] == '%' ||
			    v[i] == '[' || v[i] == ']' || v[i] == ':';
		break;
	case SEL_IP:
		ok = all_of(v, vn, K_IP);
		break;
	case SEL_CRYPTO: {
		const char *c2 = memchr(v, ':', vn);
		ok = c2 != NULL && c2 > v && all_of(v, (size_t)(c2 - v), K_LOWER | K_DIGIT) &&
		    (size_t)(c2 - v) + 1 < vn;
		break;
	}
	case SEL_EWALLET:
	case SEL_HANDLE: {
		const char *c2 = memchr(v, ':', vn);
		ok = c2 != NULL && c2 > v && all_of(v, (size_t)(c2 - v), K_LOWER | K_DIGIT) &&
		    (size_t)(c2 - v) + 1 < vn;
		break;
	}
	case SEL_URL:
		/* scheme:... with a lower-case scheme; the rest is printable. */
		ok = vn > 1 && (kclass[(unsigned char)v[0]] & K_LOWER) && memchr(v, ':', vn) != NULL;
		break;
	case SEL_EMAIL:
		ok = true;
		break;
	default:
		err_set(e, 400, "key", "unknown key type");
		return -1;
	}
out:
	if (!ok) {
		err_set(e, 400, "key", "the value is not in the canonical form of its type");
		return -1;
	}
	return 0;
}
