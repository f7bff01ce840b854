/* csvimport.c - CSV bulk import under a column-mapping file (csvimport.h).
 *
 * The reader is RFC 4180 with the usual leniencies of bank exports: a UTF-8
 * byte-order mark is skipped, CRLF or LF ends a record, a quote inside an
 * unquoted cell is kept as it is, blank lines are skipped. Quoted cells may
 * hold delimiters, doubled quotes and line breaks. Every record is bounded
 * (SIMPUL_MAX_IMPORT_LINE bytes, SIMPUL_MAX_CSV_COLUMNS cells).
 *
 * A row becomes the JSON of a posted report; report_parse() (model.c) does
 * the validation and normalisation as for every other write, and its
 * errors are translated back to the CSV column that fed the field. */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "csvimport.h"
#include "model.h"
#include "simpul_limits.h"

/* ---- the mapping -------------------------------------------------------- */

enum conv { CV_TEXT, CV_DATE, CV_AMOUNT };
enum datefmt { DF_ISO, DF_DMY, DF_MDY, DF_YMD_COMPACT };

/* One field of the mapping: a constant, or a column with a conversion. */
struct fspec {
	bool         set;
	char        *constant;      /* owned; NULL when from a column */
	char        *colname;       /* owned; NULL when by position */
	int          colpos;        /* 1-based position given in the mapping, 0 = by name */
	int          col;           /* resolved 0-based column, -1 = constant */
	enum conv    conv;
	enum datefmt datefmt;
	char         datesep;       /* separator of DMY/MDY dates */
	int          minor_units;   /* amounts: decimals in the currency (2) */
	json_t      *map;           /* value translations, may be NULL */
	bool         required;
};

#define SEL_FIELDS 8
static const char *const sel_field_names[SEL_FIELDS] = { "type", "value", "role", "country",
	"bank", "provider", "chain", "platform" };

struct selspec {
	struct fspec f[SEL_FIELDS];
	bool         required;
};

#define REP_FIELDS 7
static const char *const rep_field_names[REP_FIELDS] = { "reference", "occurred_at",
	"reported_at", "scam_type", "victim_country", "narrative", "status" };

struct csv_map {
	char           delim;
	bool           header;
	struct fspec   rep[REP_FIELDS];
	struct fspec   amount, currency;
	struct selspec sel[SIMPUL_MAX_MAP_SELECTORS];
	int            nsel;
	json_t        *markings;          /* constant, may be NULL */
	struct fspec   key[16];           /* key_columns: the digest covers only these */
	int            nkey;
};

static void
fspec_free(struct fspec *f)
{
	free(f->constant);
	free(f->colname);
	json_decref(f->map);
	memset(f, 0, sizeof(*f));
}

void
csv_map_free(struct csv_map *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < REP_FIELDS; i++)
		fspec_free(&m->rep[i]);
	fspec_free(&m->amount);
	fspec_free(&m->currency);
	for (int i = 0; i < m->nsel; i++)
		for (int k = 0; k < SEL_FIELDS; k++)
			fspec_free(&m->sel[i].f[k]);
	for (int i = 0; i < m->nkey; i++)
		fspec_free(&m->key[i]);
	json_decref(m->markings);
	free(m);
}

static int
only_keys(const json_t *o, const char *const *allowed, const char *where, struct err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;
		for (int i = 0; allowed[i] && !ok; i++)
			ok = strcmp(k, allowed[i]) == 0;
		if (!ok) {
			err_set(e, 400, where, "%s: unknown key \"%.60s\"", where[0] ? where : "mapping", k);
			return -1;
		}
	}
	return 0;
}

/* A column reference: a header name (string) or a 1-based position. */
static int
col_ref(const json_t *c, struct fspec *f, const char *where, struct err *e)
{
	if (json_is_string(c) && json_string_length(c) > 0 && json_string_length(c) <= 200) {
		f->colname = strdup(json_string_value(c));
		return f->colname ? 0 : (err_set(e, 500, "", "out of memory"), -1);
	}
	if (json_is_integer(c) && json_integer_value(c) >= 1 &&
	    json_integer_value(c) <= SIMPUL_MAX_CSV_COLUMNS) {
		f->colpos = (int)json_integer_value(c);
		return 0;
	}
	err_set(e, 400, where, "%s must be a column name or a position 1..%d", where,
	    SIMPUL_MAX_CSV_COLUMNS);
	return -1;
}

static int
fspec_parse(const json_t *j, enum conv conv, const char *where, struct fspec *f, struct err *e)
{
	static const char *const keys[] = { "column", "format", "minor_units", "map", "required", NULL };
	char w[160];
	const json_t *v;

	memset(f, 0, sizeof(*f));
	f->col = -1;
	f->conv = conv;
	f->minor_units = 2;
	if (j == NULL || json_is_null(j))
		return 0;
	f->set = true;
	if (json_is_string(j)) {
		if (json_string_length(j) > SIMPUL_MAX_SHORT) {
			err_set(e, 400, where, "%s: a constant is at most %d bytes", where, SIMPUL_MAX_SHORT);
			return -1;
		}
		f->constant = strdup(json_string_value(j));
		return f->constant ? 0 : (err_set(e, 500, "", "out of memory"), -1);
	}
	if (!json_is_object(j)) {
		err_set(e, 400, where, "%s must be a constant string or {\"column\": NAME}", where);
		return -1;
	}
	if (only_keys(j, keys, where, e) == -1)
		return -1;
	snprintf(w, sizeof(w), "%s.column", where);
	if ((v = json_object_get(j, "column")) == NULL) {
		err_set(e, 400, w, "%s is required (a column name or position)", w);
		return -1;
	}
	if (col_ref(v, f, w, e) == -1)
		return -1;
	if ((v = json_object_get(j, "format")) != NULL) {
		const char *s = json_string_value(v);
		snprintf(w, sizeof(w), "%s.format", where);
		if (conv != CV_DATE || s == NULL) {
			err_set(e, 400, w, "%s applies to dates only (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, YYYYMMDD)", w);
			return -1;
		}
		if (strcmp(s, "YYYY-MM-DD") == 0)
			f->datefmt = DF_ISO;
		else if (strcmp(s, "YYYYMMDD") == 0)
			f->datefmt = DF_YMD_COMPACT;
		else if (strlen(s) == 10 && strncmp(s, "DD", 2) == 0 && strncmp(s + 3, "MM", 2) == 0 &&
		    s[2] == s[5] && strchr("/-.", s[2]) && strcmp(s + 6, "YYYY") == 0) {
			f->datefmt = DF_DMY;
			f->datesep = s[2];
		} else if (strlen(s) == 10 && strncmp(s, "MM", 2) == 0 && strncmp(s + 3, "DD", 2) == 0 &&
		    s[2] == s[5] && strchr("/-.", s[2]) && strcmp(s + 6, "YYYY") == 0) {
			f->datefmt = DF_MDY;
			f->datesep = s[2];
		} else {
			err_set(e, 400, w, "%s: unknown date format \"%.40s\" (YYYY-MM-DD, DD/MM/YYYY, "
			    "DD-MM-YYYY, DD.MM.YYYY, MM/DD/YYYY, YYYYMMDD)", w, s);
			return -1;
		}
	}
	if ((v = json_object_get(j, "minor_units")) != NULL) {
		snprintf(w, sizeof(w), "%s.minor_units", where);
		if (conv != CV_AMOUNT || !json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 4) {
			err_set(e, 400, w, "%s applies to loss.amount only: decimals 0..4 of the currency", w);
			return -1;
		}
		f->minor_units = (int)json_integer_value(v);
	}
	if ((v = json_object_get(j, "map")) != NULL) {
		const char *k;
		json_t *mv;
		snprintf(w, sizeof(w), "%s.map", where);
		if (!json_is_object(v) || json_object_size(v) > 1000) {
			err_set(e, 400, w, "%s must be an object of at most 1000 \"cell\": \"value\" pairs", w);
			return -1;
		}
		json_object_foreach((json_t *)v, k, mv) {
			if (!json_is_string(mv)) {
				err_set(e, 400, w, "%s: the value for \"%.40s\" must be a string", w, k);
				return -1;
			}
		}
		f->map = json_incref((json_t *)v);
	}
	if ((v = json_object_get(j, "required")) != NULL) {
		if (!json_is_boolean(v)) {
			snprintf(w, sizeof(w), "%s.required", where);
			err_set(e, 400, w, "%s must be true or false", w);
			return -1;
		}
		f->required = json_is_true(v);
	}
	return 0;
}

int
csv_map_parse(const json_t *j, struct csv_map **out, struct err *e)
{
	static const char *const top[] = { "delimiter", "header", "report", "selectors", "markings",
		"key_columns", "comment", NULL };
	static const char *const rkeys[] = { "reference", "occurred_at", "reported_at", "scam_type",
		"victim_country", "narrative", "status", "loss", NULL };
	static const char *const lkeys[] = { "amount", "currency", NULL };
	static const char *const skeys[] = { "type", "value", "role", "country", "bank", "provider",
		"chain", "platform", "required", NULL };
	struct csv_map *m;
	const json_t *v, *rep, *sels;
	char w[128];
	size_t i;

	*out = NULL;
	if (!json_is_object(j)) {
		err_set(e, 400, "", "a mapping must be a JSON object");
		return -1;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	m->delim = ',';
	m->header = true;
	for (int k = 0; k < REP_FIELDS; k++)
		m->rep[k].col = -1;
	m->amount.col = m->currency.col = -1;
	if (only_keys(j, top, "", e) == -1)
		goto fail;
	if ((v = json_object_get(j, "delimiter")) != NULL) {
		const char *d = json_string_value(v);
		if (d == NULL || strlen(d) != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r') {
			err_set(e, 400, "delimiter", "delimiter must be one character such as \",\", \";\" or \"\\t\"");
			goto fail;
		}
		m->delim = d[0];
	}
	if ((v = json_object_get(j, "header")) != NULL) {
		if (!json_is_boolean(v)) {
			err_set(e, 400, "header", "header must be true (the first row names the columns) or false");
			goto fail;
		}
		m->header = json_is_true(v);
	}
	rep = json_object_get(j, "report");
	if (rep != NULL && !json_is_object(rep)) {
		err_set(e, 400, "report", "report must be an object of report fields");
		goto fail;
	}
	if (rep != NULL) {
		const json_t *loss;
		if (only_keys(rep, rkeys, "report", e) == -1)
			goto fail;
		for (int k = 0; k < REP_FIELDS; k++) {
			snprintf(w, sizeof(w), "report.%s", rep_field_names[k]);
			if (fspec_parse(json_object_get(rep, rep_field_names[k]),
			    k == 1 || k == 2 ? CV_DATE : CV_TEXT, w, &m->rep[k], e) == -1)
				goto fail;
		}
		if ((loss = json_object_get(rep, "loss")) != NULL) {
			if (!json_is_object(loss) || only_keys(loss, lkeys, "report.loss", e) == -1) {
				if (e->status == 0)
					err_set(e, 400, "report.loss", "report.loss must be {\"amount\": F, \"currency\": F}");
				goto fail;
			}
			if (fspec_parse(json_object_get(loss, "amount"), CV_AMOUNT, "report.loss.amount",
			    &m->amount, e) == -1 ||
			    fspec_parse(json_object_get(loss, "currency"), CV_TEXT, "report.loss.currency",
			    &m->currency, e) == -1)
				goto fail;
			if (m->amount.set != m->currency.set) {
				err_set(e, 400, "report.loss", "report.loss needs both amount and currency");
				goto fail;
			}
		}
	}
	sels = json_object_get(j, "selectors");
	if (sels != NULL && (!json_is_array(sels) || json_array_size(sels) > SIMPUL_MAX_MAP_SELECTORS)) {
		err_set(e, 400, "selectors", "selectors must be an array of at most %d selector mappings",
		    SIMPUL_MAX_MAP_SELECTORS);
		goto fail;
	}
	json_array_foreach(sels, i, v) {
		struct selspec *ss = &m->sel[m->nsel];
		const json_t *req;
		snprintf(w, sizeof(w), "selectors[%zu]", i);
		if (!json_is_object(v)) {
			err_set(e, 400, w, "%s must be an object {\"type\", \"value\", ...}", w);
			goto fail;
		}
		if (only_keys(v, skeys, w, e) == -1)
			goto fail;
		m->nsel++;
		for (int k = 0; k < SEL_FIELDS; k++) {
			char fw[160];
			snprintf(fw, sizeof(fw), "%s.%s", w, sel_field_names[k]);
			if (fspec_parse(json_object_get(v, sel_field_names[k]), CV_TEXT, fw, &ss->f[k], e) == -1)
				goto fail;
		}
		if (!ss->f[0].set || !ss->f[1].set) {
			err_set(e, 400, w, "%s needs a type and a value", w);
			goto fail;
		}
		if ((req = json_object_get(v, "required")) != NULL) {
			if (!json_is_boolean(req)) {
				err_set(e, 400, w, "%s.required must be true or false", w);
				goto fail;
			}
			ss->required = json_is_true(req);
		}
	}
	if ((v = json_object_get(j, "markings")) != NULL) {
		struct markings mk;
		if (markings_parse(v, &mk, e) == -1) {
			char f[128];
			str_copy(f, sizeof(f), e->field);
			snprintf(e->field, sizeof(e->field), "%.120s", f);
			goto fail;
		}
		m->markings = json_deep_copy(v);
	}
	if ((v = json_object_get(j, "key_columns")) != NULL) {
		const json_t *c;
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 16) {
			err_set(e, 400, "key_columns", "key_columns must list 1..16 columns whose cells identify a row");
			goto fail;
		}
		json_array_foreach(v, i, c) {
			snprintf(w, sizeof(w), "key_columns[%zu]", i);
			m->key[m->nkey].col = -1;
			m->key[m->nkey].set = true;
			if (col_ref(c, &m->key[m->nkey], w, e) == -1)
				goto fail;
			m->nkey++;
		}
	}
	if (m->nsel == 0 && !m->rep[0].set) {
		err_set(e, 400, "selectors", "the mapping names no selector and no reference: rows would be empty");
		goto fail;
	}
	*out = m;
	return 0;
fail:
	csv_map_free(m);
	return -1;
}

int
csv_map_load(const char *path, struct csv_map **out, struct err *e)
{
	json_error_t je;
	json_t *j;
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		err_set(e, 400, "mapping", "%.200s: cannot open the mapping file", path);
		return -1;
	}
	if ((buf = malloc(SIMPUL_MAX_MAPPING + 1)) == NULL) {
		fclose(f);
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	n = fread(buf, 1, SIMPUL_MAX_MAPPING + 1, f);
	fclose(f);
	if (n > SIMPUL_MAX_MAPPING) {
		free(buf);
		err_set(e, 413, "mapping", "%.200s: a mapping file is at most %u bytes", path, SIMPUL_MAX_MAPPING);
		return -1;
	}
	j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (j == NULL) {
		err_set(e, 400, "mapping", "%.160s: line %d column %d: %.80s", path, je.line, je.column, je.text);
		return -1;
	}
	if (!json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		json_decref(j);
		err_set(e, 400, "mapping", "%.200s: nested deeper than %d levels", path, SIMPUL_MAX_JSON_DEPTH);
		return -1;
	}
	rc = csv_map_parse(j, out, e);
	json_decref(j);
	return rc;
}

/* ---- the reader --------------------------------------------------------- */

struct csv_in {
	const struct csv_map *m;
	FILE     *in;
	uint64_t  line;       /* physical lines begun so far */
	uint64_t  rec_line;   /* the line the current record starts on */
	uint64_t  row;        /* data rows read */
	uint64_t  bytes;
	char     *buf;        /* the current record's cells, each NUL-terminated */
	size_t    len, cap;
	size_t    off[SIMPUL_MAX_CSV_COLUMNS];
	int       ncells;
	int       nhdr;       /* columns of the header (0 without a header) */
	char    **hdr;
	int       need;       /* highest resolved column + 1 */
	int       col[REP_FIELDS + 2 + SIMPUL_MAX_MAP_SELECTORS * SEL_FIELDS + 16];
	bool      broken;     /* a syntax error: nothing more is read */
	bool      first;      /* at the first byte of the file (byte-order mark) */
	char     *tmp;        /* a cell trimmed and translated (SIMPUL_MAX_TEXT + 1) */
	/* Read ahead in blocks: a cell's bytes are found and copied a run at a
	 * time, not a getc each (the reader is the one part of a CSV import that
	 * is not per row). */
	unsigned char *rb;
	size_t    rpos, rlen;
	int       pushback;   /* one byte given back, or -1 */
};

#define CSV_READ_BLOCK 65536

static int
buf_put(struct csv_in *c, char ch)
{
	if (c->len + 1 >= c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		char *nb;
		if (nc > SIMPUL_MAX_IMPORT_LINE + 2)
			nc = SIMPUL_MAX_IMPORT_LINE + 2;
		if (c->len + 1 >= nc)
			return -1;
		if ((nb = realloc(c->buf, nc)) == NULL)
			return -1;
		c->buf = nb;
		c->cap = nc;
	}
	c->buf[c->len++] = ch;
	return 0;
}

/* Append n bytes to the record (the same bound as buf_put). */
static int
buf_putn(struct csv_in *c, const unsigned char *p, size_t n)
{
	while (c->len + n + 1 > c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		char *nb;
		if (nc > SIMPUL_MAX_IMPORT_LINE + 2)
			nc = SIMPUL_MAX_IMPORT_LINE + 2;
		if (c->len + n + 1 > nc)
			return -1;
		if ((nb = realloc(c->buf, nc)) == NULL)
			return -1;
		c->buf = nb;
		c->cap = nc;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return 0;
}

static int
refill(struct csv_in *c)
{
	if (c->rb == NULL && (c->rb = malloc(CSV_READ_BLOCK)) == NULL)
		return 0;
	c->rpos = 0;
	c->rlen = fread(c->rb, 1, CSV_READ_BLOCK, c->in);
	return c->rlen > 0;
}

static inline int
getb(struct csv_in *c)
{
	int ch;

	if (c->pushback >= 0) {
		ch = c->pushback;
		c->pushback = -1;
	} else if (c->rpos < c->rlen || refill(c))
		ch = c->rb[c->rpos++];
	else
		return EOF;
	c->bytes++;
	return ch;
}
#define GETC(c) (ch = getb(c))

static void
ungetb(struct csv_in *c, int ch)
{
	c->pushback = ch;
	c->bytes--;
}

/* The bytes from the read position up to (not including) the first of
 * stop1, stop2, stop3: appended to the record at once. -1 too long. */
static int
take_run(struct csv_in *c, int stop1, int stop2, int stop3)
{
	const unsigned char *p, *q, *end;

	if (c->pushback >= 0)
		return 0;
	p = c->rb + c->rpos;
	end = c->rb + c->rlen;
	for (q = p; q < end && *q != stop1 && *q != stop2 && *q != stop3; q++)
		;
	if (q > p) {
		if (buf_putn(c, p, (size_t)(q - p)) == -1)
			return -1;
		c->bytes += (uint64_t)(q - p);
		c->rpos += (size_t)(q - p);
	}
	return 0;
}

/* Read one record into c->buf/off. 1 record, 0 end of input, -1 syntax
 * error (c->broken). Blank lines are skipped. */
static int
csv_record(struct csv_in *c, struct err *e)
{
	int ch;
	const char d = c->m->delim;

	if (c->broken) {
		err_set(e, 400, "", "the CSV reader stopped at an earlier syntax error");
		return -1;
	}
again:
	c->len = 0;
	c->ncells = 0;
	GETC(c);
	if (c->first) {
		c->first = false;
		if (ch == 0xEF) {   /* UTF-8 byte-order mark */
			int b1 = getb(c), b2 = getb(c);
			if (b1 != 0xBB || b2 != 0xBF) {
				err_set(e, 400, "", "line 1: the file starts with a broken UTF-8 byte-order mark");
				goto broken;
			}
			GETC(c);
		}
	}
	if (ch == EOF) {
		if (ferror(c->in)) {
			err_set(e, 500, "", "line %llu: read error", (unsigned long long)c->line + 1);
			goto broken;
		}
		return 0;
	}
	c->line++;
	c->rec_line = c->line;
	if (ch == '\n')
		goto again;
	if (ch == '\r') {
		GETC(c);
		if (ch == '\n')
			goto again;
		if (ch == EOF)
			return 0;
		ungetb(c, ch);
		goto again;
	}
	for (;;) {   /* one cell per turn; ch is its first byte */
		if (c->ncells == SIMPUL_MAX_CSV_COLUMNS) {
			err_set(e, 413, "", "line %llu: more than %d cells in a record",
			    (unsigned long long)c->rec_line, SIMPUL_MAX_CSV_COLUMNS);
			goto broken;
		}
		c->off[c->ncells++] = c->len;
		if (ch == '"') {
			for (;;) {
				GETC(c);
				if (ch == EOF) {
					err_set(e, 400, "", "line %llu: a quoted cell is never closed (it starts on line %llu)",
					    (unsigned long long)c->line, (unsigned long long)c->rec_line);
					goto broken;
				}
				if (ch == '"') {
					GETC(c);
					if (ch != '"')
						break;
				} else if (ch == '\n')
					c->line++;
				if (buf_put(c, (char)ch) == -1 || take_run(c, '"', '\n', '"') == -1)
					goto toolong;
			}
			if (ch != d && ch != '\n' && ch != '\r' && ch != EOF) {
				err_set(e, 400, "", "line %llu, cell %d: a closing quote must be followed by "
				    "the delimiter or the end of the line", (unsigned long long)c->line, c->ncells);
				goto broken;
			}
		} else {
			while (ch != d && ch != '\n' && ch != '\r' && ch != EOF) {
				if (buf_put(c, (char)ch) == -1 || take_run(c, d, '\n', '\r') == -1)
					goto toolong;
				GETC(c);
			}
		}
		if (buf_put(c, '\0') == -1)
			goto toolong;
		if (ch == d) {
			GETC(c);
			continue;
		}
		if (ch == '\r') {
			GETC(c);
			if (ch != '\n' && ch != EOF)
				ungetb(c, ch);
		}
		return 1;
	}
toolong:
	err_set(e, 413, "", "line %llu: a record is longer than %u bytes",
	    (unsigned long long)c->rec_line, SIMPUL_MAX_IMPORT_LINE);
broken:
	c->broken = true;
	return -1;
}

static const char *
cell(const struct csv_in *c, int i)
{
	return i >= 0 && i < c->ncells ? c->buf + c->off[i] : "";
}

static int
resolve(struct csv_in *c, const struct fspec *f, int *col, const char *what, struct err *e)
{
	*col = -1;
	if (!f->set || f->constant)
		return 0;
	if (f->colpos) {
		if (c->nhdr && f->colpos > c->nhdr) {
			err_set(e, 400, what, "%s: column %d, but the header has %d columns", what, f->colpos, c->nhdr);
			return -1;
		}
		*col = f->colpos - 1;
	} else {
		if (!c->m->header) {
			err_set(e, 400, what, "%s: columns are named only when the file has a header "
			    "(\"header\": true); give a position instead", what);
			return -1;
		}
		for (int i = 0; i < c->nhdr && *col < 0; i++)
			if (strcmp(c->hdr[i], f->colname) == 0)
				*col = i;
		if (*col < 0) {
			err_set(e, 400, what, "%s: the file has no column \"%.80s\"", what, f->colname);
			return -1;
		}
	}
	if (*col + 1 > c->need)
		c->need = *col + 1;
	return 0;
}

/* Resolved column of each fspec, in a fixed order (see fspec_col). */
#define COL_AMOUNT   (REP_FIELDS)
#define COL_CURRENCY (REP_FIELDS + 1)
#define COL_SEL(i, k) (REP_FIELDS + 2 + (i) * SEL_FIELDS + (k))
#define COL_KEY(i)   (REP_FIELDS + 2 + SIMPUL_MAX_MAP_SELECTORS * SEL_FIELDS + (i))

int
csv_open(const struct csv_map *m, FILE *in, struct csv_in **out, struct err *e)
{
	struct csv_in *c;
	char w[64];
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	c->m = m;
	c->in = in;
	c->first = true;
	c->pushback = -1;
	if ((c->tmp = malloc(SIMPUL_MAX_TEXT + 1)) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto fail;
	}
	if (m->header) {
		if ((rc = csv_record(c, e)) != 1) {
			if (rc == 0)
				err_set(e, 400, "", "the file is empty: the mapping expects a header row");
			goto fail;
		}
		if ((c->hdr = calloc((size_t)c->ncells, sizeof(*c->hdr))) == NULL) {
			err_set(e, 500, "", "out of memory");
			goto fail;
		}
		c->nhdr = c->ncells;
		for (int i = 0; i < c->ncells; i++) {
			const char *h = cell(c, i);
			while (*h == ' ')
				h++;
			if ((c->hdr[i] = strdup(h)) == NULL) {
				err_set(e, 500, "", "out of memory");
				goto fail;
			}
			for (size_t n = strlen(c->hdr[i]); n > 0 && c->hdr[i][n - 1] == ' '; n--)
				c->hdr[i][n - 1] = '\0';
		}
	}
	for (int k = 0; k < REP_FIELDS; k++) {
		snprintf(w, sizeof(w), "report.%s", rep_field_names[k]);
		if (resolve(c, &m->rep[k], &c->col[k], w, e) == -1)
			goto fail;
	}
	if (resolve(c, &m->amount, &c->col[COL_AMOUNT], "report.loss.amount", e) == -1 ||
	    resolve(c, &m->currency, &c->col[COL_CURRENCY], "report.loss.currency", e) == -1)
		goto fail;
	for (int i = 0; i < m->nsel; i++)
		for (int k = 0; k < SEL_FIELDS; k++) {
			snprintf(w, sizeof(w), "selectors[%d].%s", i, sel_field_names[k]);
			if (resolve(c, &m->sel[i].f[k], &c->col[COL_SEL(i, k)], w, e) == -1)
				goto fail;
		}
	for (int i = 0; i < m->nkey; i++) {
		snprintf(w, sizeof(w), "key_columns[%d]", i);
		if (resolve(c, &m->key[i], &c->col[COL_KEY(i)], w, e) == -1)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	csv_close(c);
	return -1;
}

void
csv_close(struct csv_in *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nhdr; i++)
		free(c->hdr[i]);
	free(c->hdr);
	free(c->buf);
	free(c->tmp);
	free(c->rb);
	free(c);
}

int
csv_next_record(struct csv_in *c, int *ncells, struct err *e)
{
	int rc = csv_record(c, e);

	if (rc == 1)
		c->row++;
	*ncells = rc == 1 ? c->ncells : 0;
	return rc;
}

uint64_t
csv_rows(const struct csv_in *c)
{
	return c->row;
}

/* ---- a row to a report -------------------------------------------------- */

static void
colname(const struct csv_in *c, const struct fspec *f, int col, char *out, size_t outsz)
{
	if (col < 0)
		snprintf(out, outsz, "%s", f != NULL ? "(constant)" : "");
	else if (c->nhdr && col < c->nhdr)
		snprintf(out, outsz, "%.60s", c->hdr[col]);
	else
		snprintf(out, outsz, "#%d", col + 1);
	(void)f;
}

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A date cell in the field's format to YYYY-MM-DD; -1 if it is not one. */
static int
conv_date(const struct fspec *f, const char *s, char out[11])
{
	size_t n = strlen(s);
	const char *y, *mo, *d;

	switch (f->datefmt) {
	case DF_ISO:
		if (n == 10 && s[4] == '-' && s[7] == '-') {
			y = s; mo = s + 5; d = s + 8;
		} else if (n > 10 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ')) {
			y = s; mo = s + 5; d = s + 8;   /* a timestamp: its date */
		} else
			return -1;
		break;
	case DF_YMD_COMPACT:
		if (n != 8)
			return -1;
		y = s; mo = s + 4; d = s + 6;
		break;
	case DF_DMY:
	case DF_MDY:
		if (n != 10 || s[2] != f->datesep || s[5] != f->datesep)
			return -1;
		y = s + 6;
		d = f->datefmt == DF_DMY ? s : s + 3;
		mo = f->datefmt == DF_DMY ? s + 3 : s;
		break;
	default:
		return -1;
	}
	if (!digits(y, 4) || !digits(mo, 2) || !digits(d, 2))
		return -1;
	memcpy(out, y, 4);
	out[4] = '-';
	memcpy(out + 5, mo, 2);
	out[7] = '-';
	memcpy(out + 8, d, 2);
	out[10] = '\0';
	return date_valid(out) ? 0 : -1;
}

/* "1,234.50" to minor units (123450 with 2 decimals); -1 if not an amount. */
static int
conv_amount(const struct fspec *f, const char *s, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;
	bool any = false;

	for (; *s; s++) {
		if (*s == ',' || *s == ' ' || *s == '_')
			continue;   /* thousands separators */
		if (*s == '.') {
			if (frac >= 0)
				return -1;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (frac >= 0 && frac == f->minor_units) {
			if (*s != '0')
				return -1;   /* more precision than the currency has */
			continue;
		}
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		any = true;
		if (frac >= 0)
			frac++;
	}
	if (!any)
		return -1;
	for (int k = frac < 0 ? 0 : frac; k < f->minor_units; k++) {
		if (v > INT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = v;
	return 0;
}

struct rowerr {
	char column[64];
	char field[128];
	char reason[256];
};

/* The value of a field for this row: the constant, or the cell trimmed
 * and translated by map. NULL when empty. */
static const char *
fval(const struct csv_in *c, const struct fspec *f, int col, char *tmp, size_t tmpsz)
{
	const char *s;
	size_t n;
	const json_t *mv;

	if (!f->set)
		return NULL;
	if (f->constant)
		return f->constant[0] ? f->constant : NULL;
	s = cell(c, col);
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	if (n >= tmpsz)
		n = tmpsz - 1;   /* longer than any field takes: report_parse names it */
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (f->map && (mv = json_object_get(f->map, tmp)) != NULL) {
		str_copy(tmp, tmpsz, json_string_value(mv));
		return tmp[0] ? tmp : NULL;
	}
	return tmp;
}

static int
row_fail(struct rowerr *re, const struct csv_in *c, const struct fspec *f, int col,
    const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
row_fail(struct rowerr *re, const struct csv_in *c, const struct fspec *f, int col,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	colname(c, f, col, re->column, sizeof(re->column));
	str_copy(re->field, sizeof(re->field), field);
	va_start(ap, fmt);
	vsnprintf(re->reason, sizeof(re->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* Build the report JSON of the current record. jsel[i] receives the
 * mapping index of the report's i-th selector (skipped empty ones shift). */
static int
row_report(struct csv_in *c, json_t **out, int *jsel, struct rowerr *re)
{
	const struct csv_map *m = c->m;
	char *t = c->tmp;
	json_t *r, *sels;
	int nj = 0;

	*out = NULL;
	if (c->nhdr && c->ncells != c->nhdr)
		return row_fail(re, c, NULL, -1, "", "the row has %d cells, the header %d", c->ncells, c->nhdr);
	if (c->ncells < c->need)
		return row_fail(re, c, NULL, -1, "", "the row has %d cells, the mapping reads column %d",
		    c->ncells, c->need);
	for (int i = 0; i < c->ncells; i++) {
		const char *s = cell(c, i);
		size_t n = strlen(s);
		if (!utf8_valid(s, n))
			return row_fail(re, c, NULL, i, "", "the cell is not valid UTF-8 text "
			    "(convert the file to UTF-8, e.g. with iconv)");
		if (n > SIMPUL_MAX_TEXT)
			return row_fail(re, c, NULL, i, "", "the cell is longer than %d bytes", SIMPUL_MAX_TEXT);
	}
	r = json_object();
	for (int k = 0; k < REP_FIELDS; k++) {
		const struct fspec *f = &m->rep[k];
		const char *v = fval(c, f, c->col[k], t, SIMPUL_MAX_TEXT + 1);
		char d[11];
		if (v == NULL) {
			if (f->required) {
				row_fail(re, c, f, c->col[k], rep_field_names[k], "empty, but the mapping requires it");
				goto fail;
			}
			continue;
		}
		if (f->conv == CV_DATE && f->constant == NULL) {
			if (conv_date(f, v, d) == -1) {
				row_fail(re, c, f, c->col[k], rep_field_names[k], "\"%.40s\" is not a date in the "
				    "mapped format", v);
				goto fail;
			}
			v = d;
		}
		json_object_set_new(r, rep_field_names[k], json_string(v));
	}
	if (m->amount.set) {
		const char *a = fval(c, &m->amount, c->col[COL_AMOUNT], t, SIMPUL_MAX_TEXT + 1);
		int64_t minor = 0;
		if (a != NULL) {
			if (m->amount.constant == NULL ? conv_amount(&m->amount, a, &minor) == -1 :
			    parse_i64(a, strlen(a), &minor) == -1) {
				row_fail(re, c, &m->amount, c->col[COL_AMOUNT], "loss.amount", "\"%.40s\" is not an "
				    "amount with at most %d decimals", a, m->amount.minor_units);
				goto fail;
			}
			a = fval(c, &m->currency, c->col[COL_CURRENCY], t, SIMPUL_MAX_TEXT + 1);
			if (a == NULL) {
				row_fail(re, c, &m->currency, c->col[COL_CURRENCY], "loss.currency",
				    "empty, but the row has an amount");
				goto fail;
			}
			json_object_set_new(r, "loss", json_pack("{s:I, s:s}", "amount", (json_int_t)minor,
			    "currency", a));
		} else if (m->amount.required) {
			row_fail(re, c, &m->amount, c->col[COL_AMOUNT], "loss.amount", "empty, but the mapping requires it");
			goto fail;
		}
	}
	sels = json_array();
	json_object_set_new(r, "selectors", sels);
	for (int i = 0; i < m->nsel; i++) {
		const struct selspec *ss = &m->sel[i];
		const char *v = fval(c, &ss->f[1], c->col[COL_SEL(i, 1)], t, SIMPUL_MAX_TEXT + 1);
		json_t *o;
		char fld[64];
		if (v == NULL) {
			if (ss->required || ss->f[1].required) {
				snprintf(fld, sizeof(fld), "selectors[%d].value", nj);
				row_fail(re, c, &ss->f[1], c->col[COL_SEL(i, 1)], fld, "empty, but the mapping requires it");
				goto fail;
			}
			continue;
		}
		o = json_object();
		json_object_set_new(o, "value", json_string(v));
		for (int k = 0; k < SEL_FIELDS; k++) {
			const char *fv;
			if (k == 1)
				continue;
			if ((fv = fval(c, &ss->f[k], c->col[COL_SEL(i, k)], t, SIMPUL_MAX_TEXT + 1)) != NULL)
				json_object_set_new(o, sel_field_names[k], json_string(fv));
			else if (ss->f[k].required) {
				snprintf(fld, sizeof(fld), "selectors[%d].%s", nj, sel_field_names[k]);
				row_fail(re, c, &ss->f[k], c->col[COL_SEL(i, k)], fld, "empty, but the mapping requires it");
				json_decref(o);
				goto fail;
			}
		}
		json_array_append_new(sels, o);
		jsel[nj++] = i;
	}
	if (m->markings)
		json_object_set(r, "markings", m->markings);
	*out = r;
	return 0;
fail:
	json_decref(r);
	return -1;
}

/* report_parse's field ("selectors[2].value", "loss.currency") back to the
 * column that fed it. */
static void
field_column(const struct csv_in *c, const int *jsel, const char *field, char *out, size_t outsz)
{
	const struct csv_map *m = c->m;
	const struct fspec *f = NULL;
	int col = -1;

	out[0] = '\0';
	if (strncmp(field, "selectors[", 10) == 0) {
		char *end;
		long j = strtol(field + 10, &end, 10);
		if (*end == ']' && j >= 0 && j < c->m->nsel) {
			int i = jsel[j];
			const char *sub = end[1] == '.' ? end + 2 : "value";
			for (int k = 0; k < SEL_FIELDS; k++)
				if (strcmp(sub, sel_field_names[k]) == 0) {
					f = &m->sel[i].f[k];
					col = c->col[COL_SEL(i, k)];
				}
			if (f == NULL) {   /* e.g. the value's own checks */
				f = &m->sel[i].f[1];
				col = c->col[COL_SEL(i, 1)];
			}
		}
	} else if (strcmp(field, "loss.amount") == 0 || strcmp(field, "loss") == 0) {
		f = &m->amount;
		col = c->col[COL_AMOUNT];
	} else if (strcmp(field, "loss.currency") == 0) {
		f = &m->currency;
		col = c->col[COL_CURRENCY];
	} else if (strncmp(field, "markings", 8) == 0) {
		str_copy(out, outsz, "(mapping markings)");
		return;
	} else {
		for (int k = 0; k < REP_FIELDS; k++)
			if (strcmp(field, rep_field_names[k]) == 0) {
				f = &m->rep[k];
				col = c->col[k];
			}
	}
	if (f != NULL)
		colname(c, f, col, out, outsz);
}

static void
row_digest(const struct csv_in *c, unsigned char out[32])
{
	crypto_generichash_state st;
	unsigned char len[4];

	crypto_generichash_init(&st, (const unsigned char *)"simpul csv row v1", 17, 32);
	for (int i = 0; i < (c->m->nkey ? c->m->nkey : c->ncells); i++) {
		const char *s = cell(c, c->m->nkey ? c->col[COL_KEY(i)] : i);
		size_t n = strlen(s);
		len[0] = (unsigned char)(n >> 24);
		len[1] = (unsigned char)(n >> 16);
		len[2] = (unsigned char)(n >> 8);
		len[3] = (unsigned char)n;
		crypto_generichash_update(&st, len, 4);
		crypto_generichash_update(&st, (const unsigned char *)s, n);
	}
	crypto_generichash_final(&st, out, 32);
}

static void
rowerr_to_err(const struct csv_in *c, const struct rowerr *re, struct err *e)
{
	err_set(e, 400, re->column[0] ? re->column : re->field, "row %llu (line %llu)%s%s%s%s%s: %s",
	    (unsigned long long)c->row, (unsigned long long)c->rec_line,
	    re->column[0] ? ", column \"" : "", re->column, re->column[0] ? "\"" : "",
	    re->field[0] ? " -> " : "", re->field, re->reason);
}

int
csv_next(struct csv_in *c, struct import_item *it, bool *fatal, struct err *e)
{
	struct rowerr re;
	int jsel[SIMPUL_MAX_MAP_SELECTORS];
	int rc;

	memset(&re, 0, sizeof(re));
	*fatal = false;
	memset(it, 0, sizeof(*it));
	if ((rc = csv_record(c, e)) != 1) {
		*fatal = rc == -1;
		return rc;
	}
	c->row++;
	it->line = c->rec_line;
	it->bytes = c->bytes;
	if (row_report(c, &it->report, jsel, &re) == -1) {
		rowerr_to_err(c, &re, e);
		return -1;
	}
	row_digest(c, it->digest);
	it->has_digest = true;
	return 1;
}

static int
source_next(void *ctx, struct import_item *it, struct err *e)
{
	bool fatal;

	return csv_next(ctx, it, &fatal, e);
}

void
csv_source(struct csv_in *c, struct import_source *src)
{
	src->next = source_next;
	src->ctx = c;
}

/* ---- the dry run -------------------------------------------------------- */

/* A set of digest prefixes (duplicates within the file). */
struct dset {
	uint64_t *v;
	size_t    cap, n;
};

static int
dset_add(struct dset *s, const unsigned char d[32])
{
	uint64_t h;
	size_t i;

	memcpy(&h, d, 8);
	h |= 1;   /* 0 marks an empty slot */
	if (s->n * 2 >= s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4096;
		uint64_t *nv = calloc(nc, sizeof(*nv));
		if (nv == NULL)
			return -1;
		for (size_t k = 0; k < s->cap; k++)
			if (s->v[k]) {
				for (i = s->v[k] & (nc - 1); nv[i]; i = (i + 1) & (nc - 1))
					;
				nv[i] = s->v[k];
			}
		free(s->v);
		s->v = nv;
		s->cap = nc;
	}
	for (i = h & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == h)
			return 1;
	s->v[i] = h;
	s->n++;
	return 0;
}

static void
issue_add(struct csv_report *rep, const struct csv_in *c, const char *column, const char *field,
    const char *reason)
{
	struct csv_issue *is;

	rep->invalid++;
	if (rep->nissues == SIMPUL_MAX_CSV_ISSUES) {
		rep->truncated = true;
		return;
	}
	if (rep->issues == NULL &&
	    (rep->issues = calloc(SIMPUL_MAX_CSV_ISSUES, sizeof(*rep->issues))) == NULL)
		return;
	is = &rep->issues[rep->nissues++];
	is->row = c->row;
	is->line = c->rec_line;
	str_copy(is->column, sizeof(is->column), column);
	str_copy(is->field, sizeof(is->field), field);
	str_copy(is->reason, sizeof(is->reason), reason);
}

#define CSV_SEEN_BATCH 1024

static int
flush_seen(const struct csv_validate_opts *o, unsigned char (*pend)[32], size_t *npend,
    struct csv_report *rep, struct err *e)
{
	int k = o->seen(o->ctx, (const unsigned char (*)[32])pend, *npend);

	*npend = 0;
	if (k < 0) {
		err_set(e, 500, "", "could not read the imported rows");
		return -1;
	}
	rep->already_imported += (uint64_t)k;
	return 0;
}

int
csv_validate(const struct csv_map *m, FILE *in, const struct csv_validate_opts *o,
    struct csv_report *rep, struct err *e)
{
	struct csv_in *c = NULL;
	struct dset ds = { 0 };
	int jsel[SIMPUL_MAX_MAP_SELECTORS] = { 0 };
	unsigned char (*pend)[32] = NULL;   /* digests waiting for o->seen */
	size_t npend = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((pend = calloc(CSV_SEEN_BATCH, sizeof(*pend))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	if (csv_open(m, in, &c, e) == -1) {
		free(pend);
		return -1;
	}
	for (;;) {
		struct rowerr re;
		struct report r;
		struct err pe = {0};
		unsigned char dg[32];
		json_t *j = NULL;

		memset(&re, 0, sizeof(re));
		if ((rc = csv_record(c, &pe)) == 0)
			break;
		if (rc == -1) {
			/* The rest of the file cannot be read reliably. */
			c->row++;
			rep->rows++;
			issue_add(rep, c, "", "", pe.msg);
			rep->syntax_error = true;
			break;
		}
		c->row++;
		rep->rows++;
		rep->bytes = c->bytes;
		if (o->progress && (rep->rows & 4095) == 0)
			o->progress(o->ctx, rep->rows, c->bytes);
		if (row_report(c, &j, jsel, &re) == -1) {
			issue_add(rep, c, re.column, re.field, re.reason);
			continue;
		}
		if (report_parse(j, o->country, &r, &pe) == -1) {
			char col[64];
			field_column(c, jsel, pe.field, col, sizeof(col));
			issue_add(rep, c, col, pe.field, pe.msg);
			json_decref(j);
			continue;
		}
		report_free(&r);
		json_decref(j);
		rep->valid++;
		row_digest(c, dg);
		if ((rc = dset_add(&ds, dg)) == -1) {
			err_set(e, 500, "", "out of memory");
			goto fail;
		}
		if (rc == 1)
			rep->duplicates_in_file++;
		else if (o->seen) {
			/* Looked up a batch at a time: one read snapshot per batch. */
			memcpy(pend[npend++], dg, 32);
			if (npend == CSV_SEEN_BATCH && flush_seen(o, pend, &npend, rep, e) == -1)
				goto fail;
		}
	}
	if (npend && flush_seen(o, pend, &npend, rep, e) == -1)
		goto fail;
	rep->bytes = c->bytes;
	if (o->progress)
		o->progress(o->ctx, rep->rows, c->bytes);
	free(ds.v);
	free(pend);
	csv_close(c);
	return 0;
fail:
	free(ds.v);
	free(pend);
	csv_close(c);
	csv_report_free(rep);
	return -1;
}

json_t *
csv_report_json(const struct csv_report *rep)
{
	json_t *a = json_array();

	for (size_t i = 0; i < rep->nissues; i++) {
		const struct csv_issue *is = &rep->issues[i];
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s}", "row", (json_int_t)is->row,
		    "line", (json_int_t)is->line, "column", is->column, "field", is->field,
		    "reason", is->reason);
		if (o == NULL)   /* a reason quoting a cell that is not UTF-8 */
			o = json_pack("{s:I, s:I, s:s}", "row", (json_int_t)is->row, "line",
			    (json_int_t)is->line, "reason", "(not printable)");
		json_array_append_new(a, o);
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:o, s:b}", "rows", (json_int_t)rep->rows,
	    "valid", (json_int_t)rep->valid, "invalid", (json_int_t)rep->invalid,
	    "duplicates_in_file", (json_int_t)rep->duplicates_in_file,
	    "already_imported", (json_int_t)rep->already_imported,
	    "syntax_error", rep->syntax_error, "errors", a, "errors_truncated", rep->truncated);
}

void
csv_report_free(struct csv_report *rep)
{
	free(rep->issues);
	rep->issues = NULL;
	rep->nissues = 0;
}
