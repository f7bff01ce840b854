/* person_import.c - OFAC SDN CSV and UN consolidated XML into person objects. */
#include "person_import.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#include "names.h"
#include "simpul_limits.h"

/* ---- country names ------------------------------------------------------- */

struct cname { char name[64]; char cc[3]; };
static struct cname *cnames;
static size_t ncnames;
static pthread_once_t cn_once = PTHREAD_ONCE_INIT;

static const struct { const char *name, *cc; } cn_alias[] = {
	{"syrian arab republic","SY"}, {"iran","IR"}, {"iran islamic republic of","IR"},
	{"democratic people's republic of korea","KP"}, {"north korea","KP"}, {"korea north","KP"},
	{"republic of korea","KR"}, {"south korea","KR"}, {"korea south","KR"},
	{"russian federation","RU"}, {"russia","RU"}, {"viet nam","VN"}, {"vietnam","VN"},
	{"lao people's democratic republic","LA"}, {"laos","LA"}, {"burma","MM"}, {"myanmar","MM"},
	{"united kingdom of great britain and northern ireland","GB"}, {"united kingdom","GB"},
	{"united states of america","US"}, {"united states","US"}, {"usa","US"},
	{"united republic of tanzania","TZ"}, {"tanzania","TZ"},
	{"democratic republic of the congo","CD"}, {"congo democratic republic of the","CD"},
	{"congo","CG"}, {"republic of the congo","CG"}, {"bolivia","BO"}, {"venezuela","VE"},
	{"syria","SY"}, {"palestine","PS"}, {"state of palestine","PS"}, {"west bank","PS"},
	{"gaza","PS"}, {"turkey","TR"}, {"turkiye","TR"}, {"cote d'ivoire","CI"}, {"ivory coast","CI"},
	{"brunei darussalam","BN"}, {"brunei","BN"}, {"timor-leste","TL"}, {"east timor","TL"},
	{"republic of moldova","MD"}, {"moldova","MD"}, {"macedonia","MK"}, {"north macedonia","MK"},
	{"the former yugoslav republic of macedonia","MK"}, {"bosnia and herzegovina","BA"},
	{"czech republic","CZ"}, {"kosovo","XK"}, {"libyan arab jamahiriya","LY"},
	{"micronesia","FM"}, {"cape verde","CV"}, {"swaziland","SZ"}, {"the gambia","GM"},
	{"gambia","GM"}, {"the bahamas","BS"}, {"holy see","VA"}, {"sudan","SD"},
	{"south sudan","SS"}, {"kyrgyzstan","KG"}, {"yemen","YE"}, {"netherlands","NL"},
	{"the netherlands","NL"},
};

static void
cname_lower(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int paren = 0;

	for (; *in && o + 1 < outsz; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '(') { paren++; continue; }
		if (c == ')') { if (paren) paren--; continue; }
		if (paren)
			continue;
		if (c == ',' || c == '.')
			c = ' ';
		if (c == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = (char)tolower(c);
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
}

static void
cn_init(void)
{
	const char *const *codes = uloc_getISOCountries();
	size_t n = 0;

	while (codes[n])
		n++;
	if ((cnames = calloc(n, sizeof(*cnames))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		char loc[8], u8[128];
		UChar disp[128];
		UErrorCode st = U_ZERO_ERROR;
		int32_t len, ol = 0;
		if (strlen(codes[i]) != 2)
			continue;
		snprintf(loc, sizeof(loc), "en_%s", codes[i]);
		len = uloc_getDisplayCountry(loc, "en", disp, 127, &st);
		if (U_FAILURE(st))
			continue;
		u_strToUTF8(u8, sizeof(u8) - 1, &ol, disp, len, &st);
		if (U_FAILURE(st))
			continue;
		u8[ol] = 0;
		cname_lower(u8, cnames[ncnames].name, sizeof(cnames[0].name));
		memcpy(cnames[ncnames].cc, codes[i], 3);
		ncnames++;
	}
}

const char *
country_code_of(const char *name)
{
	char k[96];

	pthread_once(&cn_once, cn_init);
	cname_lower(name, k, sizeof(k));
	if (k[0] == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(cn_alias) / sizeof(cn_alias[0]); i++)
		if (strcmp(k, cn_alias[i].name) == 0)
			return cn_alias[i].cc;
	for (size_t i = 0; i < ncnames; i++)
		if (strcmp(k, cnames[i].name) == 0)
			return cnames[i].cc;
	return NULL;
}

/* ---- CSV ----------------------------------------------------------------- */

int
csv_record(const char *s, size_t len, size_t *pos, char *buf, size_t bufsz, char **fields, int maxf)
{
	size_t i = *pos, o = 0;
	int nf = 0;

	/* skip blank lines and the DOS end-of-file byte */
	while (i < len && (s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i >= len || s[i] == 0x1a) {
		*pos = len;
		return 0;
	}
	for (;;) {
		if (nf >= maxf || o >= bufsz)
			return -1;
		fields[nf++] = buf + o;
		if (i < len && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return -1;           /* unterminated quote */
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						if (o + 1 >= bufsz) return -1;
						buf[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (o + 1 >= bufsz) return -1;
				buf[o++] = s[i++];
			}
			/* junk after the closing quote up to the separator is kept */
			while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
				if (o + 1 >= bufsz) return -1;
				buf[o++] = s[i++];
			}
		} else {
			while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r' && s[i] != 0x1a) {
				if (o + 1 >= bufsz) return -1;
				buf[o++] = s[i++];
			}
		}
		if (o + 1 > bufsz)
			return -1;
		buf[o++] = 0;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	while (i < len && (s[i] == '\r' || s[i] == '\n'))
		i++;
	*pos = i;
	return nf;
}

static bool
ofac_empty(const char *f)
{
	while (*f == ' ') f++;
	return f[0] == 0 || strncmp(f, "-0-", 3) == 0;
}

static void
trim(char *s)
{
	size_t n = strlen(s), i = 0;
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}

static const char *const months[] = { "jan","feb","mar","apr","may","jun","jul","aug","sep","oct","nov","dec" };

/* "01 Apr 1950", "Apr 1950", "1950", "circa 1951", "1950 to 1952" -> YYYY[-MM[-DD]] */
static int
ofac_date(const char *s, char *out, size_t outsz)
{
	int d = 0, m = 0, y = 0;
	char w[3][16];
	int nw = 0;
	const char *p = s;

	if (strncmp(p, "circa ", 6) == 0)
		p += 6;
	while (*p && nw < 3) {
		size_t n = 0;
		while (*p == ' ') p++;
		while (*p && *p != ' ' && n + 1 < sizeof(w[0])) w[nw][n++] = *p++;
		w[nw][n] = 0;
		if (n == 0) break;
		if (strcmp(w[nw], "to") == 0) break;
		nw++;
		while (*p && *p != ' ') p++;
	}
	for (int i = 0; i < nw; i++) {
		size_t l = strlen(w[i]);
		bool digits = l > 0;
		for (size_t k = 0; k < l; k++) if (!isdigit((unsigned char)w[i][k])) digits = false;
		if (digits && l == 4) y = (int)strtol(w[i], NULL, 10);
		else if (digits && l <= 2) d = (int)strtol(w[i], NULL, 10);
		else if (l >= 3)
			for (int k = 0; k < 12; k++)
				if (strncasecmp(w[i], months[k], 3) == 0) m = k + 1;
	}
	if (y == 0)
		return -1;
	if (y < 0 || y > 9999 || d > 31)
		return -1;
	if (m && d)
		snprintf(out, outsz, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
	else if (m)
		snprintf(out, outsz, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	else
		snprintf(out, outsz, "%04u", (unsigned)y % 10000u);
	struct name_dob nd;
	return name_dob_parse(out, &nd);
}

static void
add_unique_str(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(arr, json_string(s));
}

static void ofac_name(const char *in, char *out, size_t outsz);
#define PERSON_MAX_NAMES_IMPORT 64   /* persons.h PERSON_MAX_NAMES */

/* Remarks: "DOB 01 Apr 1950; alt. DOB 1951; POB ...; nationality Iraq;
 * citizen Iraq; Gender Male; Passport 1084010 (Egypt); ..." */
static void
ofac_remarks(json_t *person, const char *rem)
{
	json_t *dobs = json_array(), *nats = json_array(), *docs = json_array();
	char part[512];
	const char *p = rem;

	while (*p) {
		size_t n = 0;
		while (*p == ' ') p++;
		while (*p && *p != ';' && n + 1 < sizeof(part)) part[n++] = *p++;
		part[n] = 0;
		if (*p == ';') p++;
		while (*p && *p != ';' && n + 1 >= sizeof(part)) p++;
		trim(part);
		char *q = part;
		if (strncmp(q, "alt. ", 5) == 0)
			q += 5;
		if (strncmp(q, "a.k.a. ", 7) == 0) {
			/* OFAC puts its weak (low-quality) a.k.a.s in the remarks:
			 * "a.k.a. 'ABU MANSOUR'.", "a.k.a. 'UBAIDAH, Abu'" */
			char raw[512], name[600];
			size_t k;
			str_copy(raw, sizeof(raw), q + 7);
			trim(raw);
			k = strlen(raw);
			while (k && (raw[k - 1] == '.' || raw[k - 1] == '"' || raw[k - 1] == ' ' || raw[k - 1] == '\''))
				raw[--k] = 0;
			ofac_name(raw[0] == '\'' ? raw + 1 : raw, name, sizeof(name));
			json_t *names = json_object_get(person, "names");
			if (name[0] && json_array_size(names) < PERSON_MAX_NAMES_IMPORT)
				json_array_append_new(names, json_pack("{s:s, s:s, s:s}", "name", name,
				    "strength", "weak", "kind", "aka"));
		} else if (strncmp(q, "DOB ", 4) == 0) {
			char d[16];
			if (ofac_date(q + 4, d, sizeof(d)) == 0)
				add_unique_str(dobs, d);
		} else if (strncmp(q, "nationality ", 12) == 0 || strncmp(q, "citizen ", 8) == 0) {
			const char *cc = country_code_of(q + (q[0] == 'n' ? 12 : 8));
			if (cc)
				add_unique_str(nats, cc);
		} else if (strncmp(q, "Gender ", 7) == 0) {
			json_object_set_new(person, "gender", json_string(strncasecmp(q + 7, "male", 4) == 0 ? "male" :
			    strncasecmp(q + 7, "female", 6) == 0 ? "female" : "unknown"));
		} else if (strncmp(q, "Passport ", 9) == 0 || strncmp(q, "National ID No. ", 16) == 0) {
			bool pass = q[0] == 'P';
			char num[64], ctry[64] = "";
			const char *r = q + (pass ? 9 : 16), *lp;
			size_t k = 0;
			while (*r && *r != '(' && k + 1 < sizeof(num)) num[k++] = *r++;
			num[k] = 0;
			trim(num);
			if ((lp = strchr(r, '(')) != NULL) {
				size_t c = 0;
				lp++;
				while (*lp && *lp != ')' && c + 1 < sizeof(ctry)) ctry[c++] = *lp++;
				ctry[c] = 0;
			}
			if (num[0]) {
				const char *cc = ctry[0] ? country_code_of(ctry) : NULL;
				json_t *d = json_pack("{s:s, s:s}", "type", pass ? "passport" : "national_id", "number", num);
				if (cc)
					json_object_set_new(d, "country", json_string(cc));
				json_array_append_new(docs, d);
			}
		}
	}
	if (json_array_size(dobs)) json_object_set(person, "dob", dobs);
	if (json_array_size(nats)) json_object_set(person, "nationality", nats);
	if (json_array_size(docs)) json_object_set(person, "documents", docs);
	json_decref(dobs);
	json_decref(nats);
	json_decref(docs);
}

/* "LAST, First Middle" -> "First Middle LAST" (order does not matter to the
 * matcher; this is the display form). */
static void
ofac_name(const char *in, char *out, size_t outsz)
{
	const char *comma = strchr(in, ',');
	if (comma && comma[1]) {
		char first[512];
		str_copy(first, sizeof(first), comma + 1);
		trim(first);
		snprintf(out, outsz, "%s %.*s", first, (int)(comma - in), in);
	} else
		str_copy(out, outsz, in);
	trim(out);
}

struct altrow { long ent; char name[512]; const char *kind; };

static int
alt_cmp(const void *a, const void *b)
{
	long x = ((const struct altrow *)a)->ent, y = ((const struct altrow *)b)->ent;
	return x < y ? -1 : x > y;
}

int
ofac_read(const char *sdn, size_t sdnlen, const char *alt, size_t altlen,
    person_cb cb, void *ctx, struct err *e)
{
	char buf[16384], *f[16];
	struct altrow *alts = NULL;
	size_t nalts = 0, capalts = 0, pos = 0;
	int nf, rc = -1, line = 0;

	if (alt) {
		while ((nf = csv_record(alt, altlen, &pos, buf, sizeof(buf), f, 16)) != 0) {
			line++;
			if (nf < 0) {
				err_set(e, 400, "alt", "alt.csv line %d: malformed CSV", line);
				goto out;
			}
			if (nf < 4 || strcmp(f[0], "ent_num") == 0)
				continue;
			char *end;
			long ent = strtol(f[0], &end, 10);
			if (end == f[0] || ofac_empty(f[3]))
				continue;
			if (nalts == capalts) {
				size_t nc = capalts ? capalts * 2 : 1024;
				struct altrow *na = realloc(alts, nc * sizeof(*na));
				if (na == NULL) { err_set(e, 500, "", "out of memory"); goto out; }
				alts = na;
				capalts = nc;
			}
			alts[nalts].ent = ent;
			ofac_name(f[3], alts[nalts].name, sizeof(alts[nalts].name));
			alts[nalts].kind = strstr(f[2], "fka") ? "fka" : strstr(f[2], "nka") ? "nka" : "aka";
			nalts++;
		}
		if (nalts)
			qsort(alts, nalts, sizeof(*alts), alt_cmp);
	}
	pos = 0;
	line = 0;
	while ((nf = csv_record(sdn, sdnlen, &pos, buf, sizeof(buf), f, 16)) != 0) {
		char name[600], ref[48];
		json_t *person, *names;
		line++;
		if (nf < 0) {
			err_set(e, 400, "sdn", "sdn.csv line %d: malformed CSV", line);
			goto out;
		}
		if (nf < 3 || strcmp(f[2], "individual") != 0)
			continue;
		char *end;
		long ent = strtol(f[0], &end, 10);
		if (end == f[0])
			continue;
		ofac_name(f[1], name, sizeof(name));
		if (name[0] == 0)
			continue;
		snprintf(ref, sizeof(ref), "OFAC-%ld", ent);
		names = json_array();
		json_array_append_new(names, json_pack("{s:s, s:s}", "name", name, "kind", "primary"));
		if (alts) {
			struct altrow key = { .ent = ent }, *a = bsearch(&key, alts, nalts, sizeof(*alts), alt_cmp);
			while (a && a > alts && a[-1].ent == ent)
				a--;
			for (; a && a < alts + nalts && a->ent == ent; a++)
				json_array_append_new(names, json_pack("{s:s, s:s, s:s}", "name", a->name,
				    "strength", "strong", "kind", a->kind));
		}
		person = json_pack("{s:s, s:o, s:s}", "ref", ref, "names", names, "source", "OFAC SDN");
		if (nf >= 12 && !ofac_empty(f[11]))
			ofac_remarks(person, f[11]);
		if (cb(ctx, person) != 0) {
			rc = 1;
			goto out;
		}
	}
	rc = 0;
out:
	free(alts);
	return rc;
}

/* ---- UN XML -------------------------------------------------------------- */

static char *
node_text(xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s;
	if (t == NULL)
		return NULL;
	s = strdup((const char *)t);
	xmlFree(t);
	if (s)
		trim(s);
	return s;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static void
un_add_name(json_t *names, const char *name, const char *strength, const char *kind)
{
	size_t i;
	json_t *v;
	if (name == NULL || name[0] == 0 || strlen(name) > NAME_MAX_BYTES)
		return;
	json_array_foreach(names, i, v)
		if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
			return;
	json_t *o = json_pack("{s:s, s:s}", "name", name, "kind", kind);
	if (strength)
		json_object_set_new(o, "strength", json_string(strength));
	json_array_append_new(names, o);
}

static json_t *
un_person(xmlNode *ind)
{
	static const char *const parts[] = { "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME" };
	char full[1024] = "", ref[64];
	json_t *names = json_array(), *dobs = json_array(), *nats = json_array(), *docs = json_array();
	json_t *p;
	char *s;

	for (size_t i = 0; i < 4; i++) {
		xmlNode *c = child(ind, parts[i]);
		if (c && (s = node_text(c)) != NULL) {
			size_t fl = strlen(full);
			if (s[0] && fl + strlen(s) + 2 < sizeof(full))
				snprintf(full + fl, sizeof(full) - fl, "%s%s", fl ? " " : "", s);
			free(s);
		}
	}
	s = node_text(child(ind, "REFERENCE_NUMBER"));
	if (s && s[0])
		snprintf(ref, sizeof(ref), "UN-%.50s", s);
	else {
		char *d = node_text(child(ind, "DATAID"));
		snprintf(ref, sizeof(ref), "UN-%.50s", d ? d : "unknown");
		free(d);
	}
	free(s);
	un_add_name(names, full, NULL, "primary");
	if ((s = node_text(child(ind, "NAME_ORIGINAL_SCRIPT"))) != NULL) {
		un_add_name(names, s, "strong", "original_script");
		free(s);
	}
	for (xmlNode *c = ind->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *nm = (const char *)c->name;
		if (strcmp(nm, "INDIVIDUAL_ALIAS") == 0) {
			char *q = node_text(child(c, "QUALITY")), *an = node_text(child(c, "ALIAS_NAME"));
			/* one ALIAS_NAME sometimes holds several: "A B; A C; D C" */
			for (char *sv = NULL, *part = an ? strtok_r(an, ";", &sv) : NULL; part;
			    part = strtok_r(NULL, ";", &sv)) {
				char *o = part;
				for (char *w = part; *w; w++) {   /* white space runs -> one space */
					char ch = *w == '\n' || *w == '\r' || *w == '\t' ? ' ' : *w;
					if (ch == ' ' && o > part && o[-1] == ' ')
						continue;
					*o++ = ch;
				}
				*o = 0;
				trim(part);
				if (part[0])
					un_add_name(names, part, q && strcmp(q, "Low") == 0 ? "weak" : "strong", "alias");
			}
			free(q);
			free(an);
		} else if (strcmp(nm, "INDIVIDUAL_DATE_OF_BIRTH") == 0) {
			char *d = node_text(child(c, "DATE")), *y = node_text(child(c, "YEAR"));
			char *from = node_text(child(c, "FROM_YEAR"));
			struct name_dob nd;
			const char *v = d && d[0] ? d : y && y[0] ? y : from;
			if (v && strlen(v) >= 10 && v[10] == 'T') ((char *)v)[10] = 0;
			if (v && name_dob_parse(v, &nd) == 0)
				add_unique_str(dobs, v);
			free(d); free(y); free(from);
		} else if (strcmp(nm, "NATIONALITY") == 0) {
			for (xmlNode *v = c->children; v; v = v->next) {
				if (v->type != XML_ELEMENT_NODE) continue;
				char *t = node_text(v);
				const char *cc = t ? country_code_of(t) : NULL;
				if (cc) add_unique_str(nats, cc);
				free(t);
			}
		} else if (strcmp(nm, "INDIVIDUAL_DOCUMENT") == 0) {
			char *num = node_text(child(c, "NUMBER")), *ty = node_text(child(c, "TYPE_OF_DOCUMENT"));
			char *ic = node_text(child(c, "ISSUING_COUNTRY"));
			if (ic == NULL || ic[0] == 0) { free(ic); ic = node_text(child(c, "COUNTRY_OF_ISSUE")); }
			if (num && num[0] && strlen(num) < 64) {
				json_t *d = json_pack("{s:s, s:s}", "type", ty && strncasecmp(ty, "passport", 8) == 0 ?
				    "passport" : "national_id", "number", num);
				const char *cc = ic ? country_code_of(ic) : NULL;
				if (cc) json_object_set_new(d, "country", json_string(cc));
				json_array_append_new(docs, d);
			}
			free(num); free(ty); free(ic);
		} else if (strcmp(nm, "GENDER") == 0) {
			char *g = node_text(c);
			/* gender is set below */
			free(g);
		}
	}
	p = json_pack("{s:s, s:o, s:s}", "ref", ref, "names", names, "source", "UN SC consolidated list");
	if (json_array_size(dobs)) json_object_set(p, "dob", dobs);
	if (json_array_size(nats)) json_object_set(p, "nationality", nats);
	if (json_array_size(docs)) json_object_set(p, "documents", docs);
	if ((s = node_text(child(ind, "GENDER"))) != NULL) {
		if (strcasecmp(s, "male") == 0) json_object_set_new(p, "gender", json_string("male"));
		else if (strcasecmp(s, "female") == 0) json_object_set_new(p, "gender", json_string("female"));
		free(s);
	}
	json_decref(dobs);
	json_decref(nats);
	json_decref(docs);
	if (json_array_size(names) == 0) {
		json_decref(p);
		return NULL;
	}
	return p;
}

int
unxml_read(const char *xml, size_t len, person_cb cb, void *ctx, struct err *e)
{
	xmlDoc *doc;
	xmlNode *root, *inds;
	int rc = 0;

	if (len > 512u * 1024u * 1024u || len > (size_t)INT32_MAX) {
		err_set(e, 413, "file", "the XML file is too large");
		return -1;
	}
	/* no network, no entity expansion, no DTD loading */
	doc = xmlReadMemory(xml, (int)len, "un.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_HUGE * 0);
	if (doc == NULL) {
		err_set(e, 400, "file", "not well-formed XML");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "CONSOLIDATED_LIST") != 0) {
		err_set(e, 400, "file", "not a UN consolidated list (root element CONSOLIDATED_LIST)");
		xmlFreeDoc(doc);
		return -1;
	}
	inds = child(root, "INDIVIDUALS");
	for (xmlNode *c = inds ? inds->children : NULL; c; c = c->next) {
		json_t *p;
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "INDIVIDUAL") != 0)
			continue;
		if ((p = un_person(c)) == NULL)
			continue;
		if (cb(ctx, p) != 0) {
			rc = 1;
			break;
		}
	}
	xmlFreeDoc(doc);
	return rc;
}
