/* model.c - names of the model's enums, markings and report parsing. */
#include "model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "normalise.h"

static const char *const kind_names[AK__N] = {
	"police", "asc", "regulator", "secretariat", "partner_le",
	"bank", "telco", "platform", "public"
};
static const char *const role_names[ROLE__N] = {
	"admin", "analyst", "investigator", "supervisor", "partner", "auditor", "public"
};
static const char *const tlp_names[TLP__N] = {
	"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"
};
static const char *const disc_names[DISC__N] = { "hit", "silent" };

static int
lookup(const char *const *names, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *agency_kind_name(enum agency_kind k) { return (unsigned)k < AK__N ? kind_names[k] : "?"; }
int agency_kind_parse(const char *s) { return lookup(kind_names, AK__N, s); }
const char *role_name(enum role r) { return (unsigned)r < ROLE__N ? role_names[r] : "?"; }
int role_parse(const char *s) { return lookup(role_names, ROLE__N, s); }
const char *tlp_name(enum tlp t) { return (unsigned)t < TLP__N ? tlp_names[t] : "?"; }
const char *disclosure_name(enum disclosure d) { return (unsigned)d < DISC__N ? disc_names[d] : "?"; }
int disclosure_parse(const char *s) { return lookup(disc_names, DISC__N, s); }

int
tlp_parse(const char *s)
{
	int t = lookup(tlp_names, TLP__N, s);

	if (t < 0 && s != NULL) {
		/* Accept the forms people write: "TLP:AMBER", lower case, "WHITE". */
		char up[32];
		size_t i, n = strlen(s);
		if (n >= sizeof(up))
			return -1;
		for (i = 0; i <= n; i++)
			up[i] = (char)toupper((unsigned char)s[i]);
		const char *p = strncmp(up, "TLP:", 4) == 0 ? up + 4 : up;
		if (strcmp(p, "WHITE") == 0)
			return TLP_CLEAR;
		t = lookup(tlp_names, TLP__N, p);
	}
	return t;
}

bool
kind_is_le(enum agency_kind k)
{
	return k == AK_POLICE || k == AK_ASC || k == AK_REGULATOR ||
	    k == AK_SECRETARIAT || k == AK_PARTNER_LE;
}

bool
kind_is_private(enum agency_kind k)
{
	return k == AK_BANK || k == AK_TELCO || k == AK_PLATFORM;
}

bool
country_is_member(const char *cc)
{
	static const char members[] = "BN KH ID LA MY MM PH SG TH VN";

	if (!country_valid(cc))
		return false;
	for (size_t i = 0; i + 1 < sizeof(members); i += 3)
		if (members[i] == cc[0] && members[i + 1] == cc[1])
			return true;
	return false;
}

bool
country_valid(const char *cc)
{
	return cc != NULL && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' &&
	    cc[1] <= 'Z' && cc[2] == '\0';
}

bool
role_valid_for_kind(enum role r, enum agency_kind k)
{
	switch (r) {
	case ROLE_ANALYST:
	case ROLE_INVESTIGATOR:
	case ROLE_SUPERVISOR:
		return kind_is_le(k);
	case ROLE_PARTNER:
		return kind_is_private(k);
	case ROLE_PUBLIC:
		return k == AK_PUBLIC;
	case ROLE_ADMIN:
	case ROLE_AUDITOR:
		return k != AK_PUBLIC;
	default:
		return false;
	}
}

bool
agency_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > SIMPUL_MAX_AGENCY_ID || !isalnum((unsigned char)s[0]))
		return false;
	/* The audience words of releasable_to cannot name an agency. */
	if (strcmp(s, AUD_MEMBERS) == 0 || strcmp(s, AUD_ALL_LE) == 0 || strcmp(s, AUD_PRIVATE) == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* ---- markings ---------------------------------------------------------- */

static int check_fields(const json_t *obj, const char *const *allowed, const char *prefix, struct err *e);

static const char *const marking_fields[] = {
	"tlp", "releasable_to", "disclosure", "orcon", "grading", "handling", "review_at", NULL
};

static bool
audience_valid(const char *s)
{
	return strcmp(s, AUD_MEMBERS) == 0 || strcmp(s, AUD_ALL_LE) == 0 ||
	    strcmp(s, AUD_PRIVATE) == 0 || country_valid(s) || agency_id_valid(s);
}

int
markings_parse(const json_t *j, struct markings *m, struct err *e)
{
	const json_t *v;

	memset(m, 0, sizeof(*m));
	m->tlp = TLP_AMBER;
	m->disclosure = DISC_HIT;
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j)) {
		err_set(e, 400, "markings", "markings must be an object");
		return -1;
	}
	if (check_fields(j, marking_fields, "markings.", e) == -1)
		return -1;
	if ((v = json_object_get(j, "tlp")) != NULL) {
		int t = json_is_string(v) ? tlp_parse(json_string_value(v)) : -1;
		if (t < 0) {
			err_set(e, 400, "markings.tlp",
			    "tlp must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
			return -1;
		}
		m->tlp = (enum tlp)t;
	}
	if ((v = json_object_get(j, "disclosure")) != NULL) {
		int d = json_is_string(v) ? disclosure_parse(json_string_value(v)) : -1;
		if (d < 0) {
			err_set(e, 400, "markings.disclosure", "disclosure must be \"hit\" or \"silent\"");
			return -1;
		}
		m->disclosure = (enum disclosure)d;
	}
	if ((v = json_object_get(j, "orcon")) != NULL) {
		if (!json_is_boolean(v)) {
			err_set(e, 400, "markings.orcon", "orcon must be true or false");
			return -1;
		}
		m->orcon = json_is_true(v);
	}
	if ((v = json_object_get(j, "releasable_to")) != NULL) {
		size_t i;
		const json_t *a;
		if (!json_is_array(v)) {
			err_set(e, 400, "markings.releasable_to", "releasable_to must be an array of audiences");
			return -1;
		}
		if (json_array_size(v) > SIMPUL_MAX_AUDIENCE) {
			err_set(e, 400, "markings.releasable_to", "at most %d audiences", SIMPUL_MAX_AUDIENCE);
			return -1;
		}
		json_array_foreach(v, i, a) {
			const char *s = json_string_value(a);
			if (s == NULL || !audience_valid(s)) {
				err_set(e, 400, "markings.releasable_to",
				    "entry %zu: expected MEMBERS, ALL_LE, PRIVATE, a country code or an agency id", i);
				return -1;
			}
			bool dup = false;
			for (int k = 0; k < m->naud; k++)
				dup = dup || strcmp(m->aud[k], s) == 0;
			if (!dup)
				str_copy(m->aud[m->naud++], sizeof(m->aud[0]), s);
		}
	}
	if ((v = json_object_get(j, "grading")) != NULL) {
		const char *s = json_string_value(v);
		/* Admiralty: source A-F then information 1-6, e.g. "B2". */
		if (s == NULL || strlen(s) != 2 || s[0] < 'A' || s[0] > 'F' || s[1] < '1' || s[1] > '6') {
			err_set(e, 400, "markings.grading", "grading must be admiralty code A-F followed by 1-6, e.g. \"B2\"");
			return -1;
		}
		str_copy(m->grading, sizeof(m->grading), s);
	}
	if ((v = json_object_get(j, "handling")) != NULL) {
		const char *s = json_string_value(v);
		bool ok = s != NULL && strlen(s) < sizeof(m->handling) && strlen(s) >= 1;
		for (size_t i = 0; ok && s[i]; i++)
			ok = isalnum((unsigned char)s[i]) || s[i] == '-';
		if (!ok) {
			err_set(e, 400, "markings.handling", "handling must be a short code such as H2 or P");
			return -1;
		}
		str_copy(m->handling, sizeof(m->handling), s);
	}
	if ((v = json_object_get(j, "review_at")) != NULL) {
		/* Accepted as milliseconds since the epoch or as a YYYY-MM-DD date. */
		if (json_is_integer(v) && json_integer_value(v) > 0) {
			m->review_at_ms = json_integer_value(v);
		} else if (json_is_string(v) && strlen(json_string_value(v)) == 10 &&
		    date_valid(json_string_value(v))) {
			m->review_at_ms = date_to_ms(json_string_value(v));
		} else {
			err_set(e, 400, "markings.review_at", "review_at must be a date YYYY-MM-DD");
			return -1;
		}
	}
	return 0;
}

json_t *
markings_json(const struct markings *m)
{
	json_t *j = json_object(), *aud = json_array();

	for (int i = 0; i < m->naud; i++)
		json_array_append_new(aud, json_string(m->aud[i]));
	json_object_set_new(j, "tlp", json_string(tlp_name(m->tlp)));
	json_object_set_new(j, "releasable_to", aud);
	json_object_set_new(j, "disclosure", json_string(disclosure_name(m->disclosure)));
	json_object_set_new(j, "orcon", json_boolean(m->orcon));
	if (m->grading[0])
		json_object_set_new(j, "grading", json_string(m->grading));
	if (m->handling[0])
		json_object_set_new(j, "handling", json_string(m->handling));
	if (m->review_at_ms) {
		char t[32];
		time_iso(m->review_at_ms, t);
		t[10] = '\0';
		json_object_set_new(j, "review_at", json_string(t));
	}
	return j;
}

char *
markings_aud_text(const struct markings *m)
{
	struct sbuf b;

	sbuf_init(&b, 64 * 1024);
	sbuf_addc(&b, '[');
	for (int i = 0; i < m->naud; i++) {
		if (i)
			sbuf_addc(&b, ',');
		sbuf_json_str(&b, m->aud[i]);
	}
	sbuf_addc(&b, ']');
	return sbuf_steal(&b);
}

int
markings_aud_from_text(struct markings *m, const char *text)
{
	json_t *j = json_loads(text, 0, NULL), *v;
	size_t i;

	m->naud = 0;
	if (!json_is_array(j)) {
		json_decref(j);
		return -1;
	}
	json_array_foreach(j, i, v) {
		if (m->naud >= SIMPUL_MAX_AUDIENCE || !json_is_string(v))
			break;
		str_copy(m->aud[m->naud++], sizeof(m->aud[0]), json_string_value(v));
	}
	json_decref(j);
	return 0;
}

void
report_free(struct report *r)
{
	free(r->sel);
	r->sel = NULL;
	r->nsel = 0;
	json_decref(r->body);
	r->body = NULL;
	free(r->body_text);
	r->body_text = NULL;
	free(r->sels_text);
	r->sels_text = NULL;
}

char *
report_sels_text(const struct report *r)
{
	json_t *a = json_array(), *o, *d;
	char *text = NULL;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < r->nsel; i++) {
		const struct rsel *rs = &r->sel[i];

		o = json_pack("{s:s, s:s, s:b, s:s}", "type", rs->type, "key", rs->key,
		    "valid", rs->valid, "role", rs->role);
		if (o == NULL)
			goto out;
		if (rs->flag[0])
			json_object_set_new(o, "flag", json_string(rs->flag));
		if (rs->nderived > 0) {
			d = json_array();
			for (int k = 0; k < rs->nderived && k < SIMPUL_MAX_DERIVED; k++)
				json_array_append_new(d, json_string(rs->derived[k]));
			json_object_set_new(o, "derived", d);
		}
		json_array_append_new(a, o);
	}
	text = json_dumps(a, JSON_COMPACT);
out:
	json_decref(a);
	return text;
}

int
report_freeze(struct report *r)
{
	if (r->sels_text == NULL && (r->sels_text = report_sels_text(r)) == NULL)
		return -1;
	if (r->body_text == NULL) {
		r->body_text = r->body ? json_dumps(r->body, JSON_COMPACT) : strdup("{}");
		if (r->body_text == NULL)
			return -1;
	}
	json_decref(r->body);
	r->body = NULL;
	return 0;
}

/* ---- report parsing ---------------------------------------------------- */

/* A short identifier-like string: printable, no control characters. */
static int
get_str(const json_t *obj, const char *name, const char *field, size_t max, bool required,
    const char **out, struct err *e)
{
	const json_t *v = json_object_get(obj, name);
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			err_set(e, 400, field, "%s is required", field);
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		err_set(e, 400, field, "%s must be a string", field);
		return -1;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > max) {
		err_set(e, 400, field, "%s is longer than %zu bytes", field, max);
		return -1;
	}
	if (!utf8_valid(s, n)) {
		err_set(e, 400, field, "%s contains control characters or invalid UTF-8", field);
		return -1;
	}
	*out = s;
	return 0;
}

static bool
code_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("_-.:", *s))
			return false;
	return true;
}

static const char *const report_fields[] = {
	"reference", "occurred_at", "reported_at", "scam_type", "loss", "victim_country",
	"narrative", "status", "selectors", "markings", "victim", NULL
};
static const char *const selector_fields[] = {
	"type", "value", "role", "country", "bank", "provider", "chain", "platform", NULL
};

static int
check_fields(const json_t *obj, const char *const *allowed, const char *prefix, struct err *e)
{
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			ok = ok || strcmp(k, allowed[i]) == 0;
		if (!ok) {
			char f[128];
			snprintf(f, sizeof(f), "%s%.100s", prefix, k);
			err_set(e, 400, f, "unknown field %s", f);
			return -1;
		}
	}
	return 0;
}

static int
parse_selector(const json_t *js, size_t idx, const char *default_country, struct rsel *rs,
    json_t *out_arr, struct err *e)
{
	char f[64], pre[40];
	const char *type, *value, *role, *country, *bank, *provider, *chain, *platform;
	struct norm_in in = {0};
	struct norm_out no;
	json_t *o;

	snprintf(pre, sizeof(pre), "selectors[%zu].", idx);
	if (!json_is_object(js)) {
		snprintf(f, sizeof(f), "selectors[%zu]", idx);
		err_set(e, 400, f, "%s must be an object {\"type\",\"value\"}", f);
		return -1;
	}
	if (check_fields(js, selector_fields, pre, e) == -1)
		return -1;
#define SF(name, var, max, req) \
	snprintf(f, sizeof(f), "%s%s", pre, name); \
	if (get_str(js, name, f, max, req, &var, e) == -1) return -1;
	SF("type", type, 32, true);
	SF("value", value, SIMPUL_MAX_VALUE_LEN, true);
	SF("role", role, 40, false);
	SF("country", country, 2, false);
	SF("bank", bank, 34, false);
	SF("provider", provider, 40, false);
	SF("chain", chain, 20, false);
	SF("platform", platform, 40, false);
#undef SF
	if (country && !country_valid(country)) {
		snprintf(f, sizeof(f), "%scountry", pre);
		err_set(e, 400, f, "%s must be an ISO 3166-1 alpha-2 code such as MY", f);
		return -1;
	}
	if (role && !code_valid(role)) {
		snprintf(f, sizeof(f), "%srole", pre);
		err_set(e, 400, f, "%s must be a lower-case code such as mule_account", f);
		return -1;
	}
	in.type = type;
	in.value = value;
	in.country = country ? country : default_country;
	in.bank = bank;
	in.provider = provider;
	in.chain = chain;
	in.platform = platform;
	if (normalise(&in, &no, e) == -1) {
		/* Name the field inside this selector. */
		char inner[64];
		str_copy(inner, sizeof(inner), e->field[0] ? e->field : "value");
		snprintf(e->field, sizeof(e->field), "%.40s%.63s", pre, inner);
		return -1;
	}
	memset(rs, 0, sizeof(*rs));
	str_copy(rs->type, sizeof(rs->type), no.type);
	str_copy(rs->key, sizeof(rs->key), no.key);
	rs->valid = no.valid;
	str_copy(rs->flag, sizeof(rs->flag), no.flag);
	str_copy(rs->role, sizeof(rs->role), role ? role : "unspecified");
	rs->nderived = no.nderived;
	for (int i = 0; i < no.nderived && i < SIMPUL_MAX_DERIVED; i++)
		str_copy(rs->derived[i], sizeof(rs->derived[i]), no.derived[i]);

	o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "type", rs->type, "value", value,
	    "role", rs->role, "key", rs->key, "valid", rs->valid);
	if (!rs->valid)
		json_object_set_new(o, "flag", json_string(rs->flag));
	if (rs->nderived) {
		json_t *d = json_array();
		for (int i = 0; i < rs->nderived; i++)
			json_array_append_new(d, json_string(rs->derived[i]));
		json_object_set_new(o, "derived", d);
	}
	if (country) json_object_set_new(o, "country", json_string(country));
	if (bank) json_object_set_new(o, "bank", json_string(bank));
	if (provider) json_object_set_new(o, "provider", json_string(provider));
	if (chain) json_object_set_new(o, "chain", json_string(chain));
	if (platform) json_object_set_new(o, "platform", json_string(platform));
	json_array_append_new(out_arr, o);
	return 0;
}

int
report_parse(const json_t *in, const char *default_country, struct report *r, struct err *e)
{
	const char *reference, *occurred, *reported, *scam_type, *vc, *narrative, *status;
	const json_t *loss, *sels, *victim;
	json_t *body = NULL, *osel = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(in)) {
		err_set(e, 400, "", "a report must be a JSON object");
		return -1;
	}
	if (check_fields(in, report_fields, "", e) == -1)
		return -1;
	if (get_str(in, "reference", "reference", SIMPUL_MAX_SHORT, false, &reference, e) == -1 ||
	    get_str(in, "occurred_at", "occurred_at", 35, false, &occurred, e) == -1 ||
	    get_str(in, "reported_at", "reported_at", 35, false, &reported, e) == -1 ||
	    get_str(in, "scam_type", "scam_type", 64, false, &scam_type, e) == -1 ||
	    get_str(in, "victim_country", "victim_country", 2, false, &vc, e) == -1 ||
	    get_str(in, "narrative", "narrative", SIMPUL_MAX_TEXT, false, &narrative, e) == -1 ||
	    get_str(in, "status", "status", 32, false, &status, e) == -1)
		return -1;
	if (occurred && !date_valid(occurred)) {
		err_set(e, 400, "occurred_at", "occurred_at must be a date YYYY-MM-DD between 1900 and 2100");
		return -1;
	}
	if (reported && !date_valid(reported)) {
		err_set(e, 400, "reported_at", "reported_at must be a date YYYY-MM-DD between 1900 and 2100");
		return -1;
	}
	if (scam_type && !code_valid(scam_type)) {
		err_set(e, 400, "scam_type", "scam_type must be a lower-case taxonomy code such as investment");
		return -1;
	}
	if (status && !code_valid(status)) {
		err_set(e, 400, "status", "status must be a lower-case code such as open");
		return -1;
	}
	if (vc && !country_valid(vc)) {
		err_set(e, 400, "victim_country", "victim_country must be an ISO 3166-1 alpha-2 code such as TH");
		return -1;
	}
	body = json_object();
	if ((loss = json_object_get(in, "loss")) != NULL && !json_is_null(loss)) {
		const json_t *amt = json_object_get(loss, "amount"), *cur = json_object_get(loss, "currency");
		const char *c = json_string_value(cur);
		if (!json_is_object(loss)) {
			err_set(e, 400, "loss", "loss must be {\"amount\": minor units, \"currency\": \"MYR\"}");
			goto fail;
		}
		if (!json_is_integer(amt) || json_integer_value(amt) < 0) {
			err_set(e, 400, "loss.amount", "loss.amount must be a non-negative integer in minor units");
			goto fail;
		}
		if (c == NULL || strlen(c) != 3 || !isupper((unsigned char)c[0]) ||
		    !isupper((unsigned char)c[1]) || !isupper((unsigned char)c[2])) {
			err_set(e, 400, "loss.currency", "loss.currency must be an ISO 4217 code such as THB");
			goto fail;
		}
		if (json_object_size(loss) != 2) {
			err_set(e, 400, "loss", "loss takes only amount and currency");
			goto fail;
		}
		json_object_set_new(body, "loss", json_pack("{s:I, s:s}", "amount",
		    (json_int_t)json_integer_value(amt), "currency", c));
	}
	if ((sels = json_object_get(in, "selectors")) != NULL && !json_is_null(sels)) {
		const json_t *s;
		if (!json_is_array(sels)) {
			err_set(e, 400, "selectors", "selectors must be an array");
			goto fail;
		}
		if (json_array_size(sels) > SIMPUL_MAX_SELECTORS) {
			err_set(e, 413, "selectors", "a report holds at most %d selectors", SIMPUL_MAX_SELECTORS);
			goto fail;
		}
		r->sel = calloc(json_array_size(sels) + 1, sizeof(*r->sel));
		if (r->sel == NULL) {
			err_set(e, 500, "", "out of memory");
			goto fail;
		}
		osel = json_array();
		json_array_foreach(sels, i, s) {
			if (parse_selector(s, i, default_country, &r->sel[i], osel, e) == -1)
				goto fail;
			r->nsel++;
		}
	}
	if ((victim = json_object_get(in, "victim")) != NULL && !json_is_null(victim)) {
		if (!json_is_object(victim)) {
			err_set(e, 400, "victim", "victim must be an object");
			goto fail;
		}
		json_object_set(body, "victim", (json_t *)victim);
	}
	if (markings_parse(json_object_get(in, "markings"), &r->m, e) == -1)
		goto fail;
	if (reference) {
		str_copy(r->reference, sizeof(r->reference), reference);
		json_object_set_new(body, "reference", json_string(reference));
	}
	if (occurred) json_object_set_new(body, "occurred_at", json_string(occurred));
	if (reported) json_object_set_new(body, "reported_at", json_string(reported));
	if (scam_type) json_object_set_new(body, "scam_type", json_string(scam_type));
	if (vc) json_object_set_new(body, "victim_country", json_string(vc));
	if (narrative) json_object_set_new(body, "narrative", json_string(narrative));
	json_object_set_new(body, "status", json_string(status ? status : "open"));
	json_object_set_new(body, "selectors", osel ? osel : json_array());
	r->body = body;
	return 0;
fail:
	json_decref(osel);
	json_decref(body);
	free(r->sel);
	r->sel = NULL;
	r->nsel = 0;
	return -1;
}
