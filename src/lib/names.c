/* names.c - name normalisation across scripts and the fuzzy name index.
 * See names.h for the contract and docs/internals/names.md for the design. */
#include "names.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

/* ---- small helpers ------------------------------------------------------ */

static size_t
utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned c = p[0];

	if (c < 0x80) { *cp = c; return 1; }
	if ((c & 0xe0) == 0xc0 && n >= 2) { *cp = ((c & 0x1fu) << 6) | (p[1] & 0x3fu); return 2; }
	if ((c & 0xf0) == 0xe0 && n >= 3) {
		*cp = ((c & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
		return 3;
	}
	if (n >= 4) {
		*cp = ((c & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

static void
sbuf_cp(struct sbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) { sbuf_addc(b, (char)cp); return; }
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(b, u, 2);
		return;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(b, u, 3);
		return;
	}
	u[0] = (char)(0xf0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f));
	sbuf_add(b, u, 4);
}

static bool
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* ---- Thai and Lao: syllables to RTGS-like spellings ----------------------
 * One algorithm for both: Lao vowel signs sit at Thai's code points + 0x80
 * and are folded onto them; consonants have their own tables of initial and
 * final values. A syllable is [leading vowel] consonant [cluster] [vowel
 * signs] [final consonant]; a syllable without a written vowel takes "o"
 * when closed and "a" when open (RTGS). Tone marks are not written. */

struct tcons { const char *ini, *fin; bool sonorant; };

static const struct tcons thai_cons[0x2f] = {
	[0x01] = {"k","k",0}, [0x02] = {"kh","k",0}, [0x03] = {"kh","k",0}, [0x04] = {"kh","k",0},
	[0x05] = {"kh","k",0}, [0x06] = {"kh","k",0}, [0x07] = {"ng","ng",1}, [0x08] = {"ch","t",0},
	[0x09] = {"ch","t",0}, [0x0a] = {"ch","t",0}, [0x0b] = {"s","t",0}, [0x0c] = {"ch","t",0},
	[0x0d] = {"y","n",1}, [0x0e] = {"d","t",0}, [0x0f] = {"t","t",0}, [0x10] = {"th","t",0},
	[0x11] = {"th","t",0}, [0x12] = {"th","t",0}, [0x13] = {"n","n",1}, [0x14] = {"d","t",0},
	[0x15] = {"t","t",0}, [0x16] = {"th","t",0}, [0x17] = {"th","t",0}, [0x18] = {"th","t",0},
	[0x19] = {"n","n",1}, [0x1a] = {"b","p",0}, [0x1b] = {"p","p",0}, [0x1c] = {"ph","p",0},
	[0x1d] = {"f","p",0}, [0x1e] = {"ph","p",0}, [0x1f] = {"f","p",0}, [0x20] = {"ph","p",0},
	[0x21] = {"m","m",1}, [0x22] = {"y","i",1}, [0x23] = {"r","n",1}, [0x24] = {"rue","",0},
	[0x25] = {"l","n",1}, [0x26] = {"lue","",0}, [0x27] = {"w","o",1}, [0x28] = {"s","t",0},
	[0x29] = {"s","t",0}, [0x2a] = {"s","t",0}, [0x2b] = {"h","",0}, [0x2c] = {"l","n",1},
	[0x2d] = {"","",0}, [0x2e] = {"h","",0},
};

static const struct tcons lao_cons[0x2f] = {
	[0x01] = {"k","k",0}, [0x02] = {"kh","k",0}, [0x04] = {"kh","k",0}, [0x06] = {"kh","k",0},
	[0x07] = {"ng","ng",1}, [0x08] = {"ch","t",0}, [0x09] = {"ch","t",0}, [0x0a] = {"s","t",0},
	[0x0c] = {"ch","t",0}, [0x0d] = {"ny","y",1}, [0x0e] = {"d","t",0}, [0x0f] = {"t","t",0},
	[0x10] = {"th","t",0}, [0x11] = {"th","t",0}, [0x12] = {"th","t",0}, [0x13] = {"n","n",1},
	[0x14] = {"d","t",0}, [0x15] = {"t","t",0}, [0x16] = {"th","t",0}, [0x17] = {"th","t",0},
	[0x18] = {"th","t",0}, [0x19] = {"n","n",1}, [0x1a] = {"b","p",0}, [0x1b] = {"p","p",0},
	[0x1c] = {"ph","p",0}, [0x1d] = {"f","p",0}, [0x1e] = {"ph","p",0}, [0x1f] = {"f","p",0},
	[0x20] = {"ph","p",0}, [0x21] = {"m","m",1}, [0x22] = {"y","y",1}, [0x23] = {"r","n",1},
	[0x25] = {"l","n",1}, [0x27] = {"v","o",1}, [0x28] = {"s","t",0}, [0x29] = {"s","t",0},
	[0x2a] = {"s","t",0}, [0x2b] = {"h","",0}, [0x2c] = {"l","n",1}, [0x2d] = {"","",0},
	[0x2e] = {"h","",0},
};

/* Thai-block codes of the vowel signs (Lao folded onto them). */
enum {
	TV_SARA_A = 0x30, TV_MAI_HAN_AKAT = 0x31, TV_SARA_AA = 0x32, TV_SARA_AM = 0x33,
	TV_I = 0x34, TV_II = 0x35, TV_UE = 0x36, TV_UEE = 0x37, TV_U = 0x38, TV_UU = 0x39,
	TV_E = 0x40, TV_AE = 0x41, TV_O = 0x42, TV_AI_MUAN = 0x43, TV_AI_MALAI = 0x44,
	TV_MAITAIKHU = 0x47, TV_THANTHAKHAT = 0x4c,
	TV_LAO_O = 0x3b, TV_LAO_IA = 0x3d, TV_LAO_SUBL = 0x3c
};

struct tunit { int kind; int code; const struct tcons *c; };  /* kind 0 other, 1 cons, 2 sign */

static int
tunit_of(uint32_t cp, struct tunit *u)
{
	memset(u, 0, sizeof(*u));
	if (cp >= 0x0e01 && cp <= 0x0e2e) {
		u->kind = 1; u->c = &thai_cons[cp - 0x0e00];
		return 1;
	}
	if (cp >= 0x0e81 && cp <= 0x0eae && lao_cons[cp - 0x0e80].ini) {
		u->kind = 1; u->c = &lao_cons[cp - 0x0e80];
		return 1;
	}
	if (cp == 0x0edc) { static const struct tcons hn = {"n","n",1}; u->kind = 1; u->c = &hn; return 1; }
	if (cp == 0x0edd) { static const struct tcons hm = {"m","m",1}; u->kind = 1; u->c = &hm; return 1; }
	if ((cp >= 0x0e30 && cp <= 0x0e4e) || (cp >= 0x0eb0 && cp <= 0x0ece)) {
		u->kind = 2; u->code = (int)(cp & 0x7f);
		return 1;
	}
	return 0;
}

static bool
tsign_following(int code)   /* a vowel sign written after or above/below the consonant */
{
	return (code >= TV_SARA_A && code <= TV_UU) || code == TV_LAO_O || code == TV_LAO_IA ||
	    code == TV_MAITAIKHU;
}
static bool
tsign_lead(int code)
{
	return code >= TV_E && code <= TV_AI_MALAI;
}
static bool
tsign_silent(int code)      /* tone marks, repetition, others */
{
	return !tsign_following(code) && !tsign_lead(code) && code != TV_THANTHAKHAT && code != TV_LAO_SUBL;
}

/* Is the consonant at i a final (not the start of the next syllable)? */
static bool
tfinal_at(const struct tunit *u, size_t n, size_t i)
{
	size_t j = i + 1;

	if (i >= n || u[i].kind != 1)
		return false;
	while (j < n && u[j].kind == 2 && tsign_silent(u[j].code))
		j++;
	if (j >= n || u[j].kind == 0)
		return true;
	if (u[j].kind == 2)
		return u[j].code == TV_THANTHAKHAT || tsign_lead(u[j].code);
	/* consonant followed by a consonant: final when that one starts a syllable */
	return true;
}

static void
thai_lao_word(const struct tunit *u, size_t n, struct sbuf *o)
{
	size_t i = 0;

	while (i < n) {
		int lead = 0, v1 = 0, v2 = 0;
		const char *vowel = NULL;
		bool have_final = false;

		if (u[i].kind == 2 && tsign_lead(u[i].code))
			lead = u[i++].code;
		if (i >= n || u[i].kind != 1) {
			if (i < n)
				i++;
			continue;
		}
		/* initial (ห before a sonorant is a tone marker, not a sound) */
		if (u[i].c == &thai_cons[0x2b] && i + 1 < n && u[i + 1].kind == 1 && u[i + 1].c->sonorant &&
		    !tfinal_at(u, n, i + 1))
			i++;
		sbuf_adds(o, u[i].c->ini);
		i++;
		/* cluster with r, l, w */
		if (i + 1 < n && u[i].kind == 1 && (u[i].c->ini[0] == 'r' || u[i].c->ini[0] == 'l' ||
		    u[i].c->ini[0] == 'w') && u[i].c->ini[1] == 0 && u[i + 1].kind == 2 &&
		    tsign_following(u[i + 1].code)) {
			sbuf_adds(o, u[i].c->ini);
			i++;
		}
		while (i < n && u[i].kind == 2 && (tsign_following(u[i].code) || tsign_silent(u[i].code) ||
		    u[i].code == TV_LAO_SUBL)) {
			if (u[i].code == TV_LAO_SUBL)
				sbuf_addc(o, 'l');
			else if (tsign_following(u[i].code) && u[i].code != TV_MAITAIKHU) {
				if (!v1) v1 = u[i].code; else if (!v2) v2 = u[i].code;
			}
			i++;
		}
		/* vowel combinations that use a consonant letter (อ ย ว; Lao ອ ຍ ວ) */
		bool next_o = i < n && u[i].kind == 1 && u[i].c->ini[0] == 0;
		bool next_y = i < n && u[i].kind == 1 && u[i].c->ini[0] == 'y';
		bool next_w = i < n && u[i].kind == 1 && (u[i].c->ini[0] == 'w' || u[i].c->ini[0] == 'v');
		if (lead == TV_E) {
			if (v1 == TV_SARA_AA) vowel = "ao";
			else if (v1 == TV_II && next_y) { vowel = "ia"; i++; }
			else if (v1 == TV_UEE && next_o) { vowel = "uea"; i++; }
			else if (!v1 && next_o && !tfinal_at(u, n, i + 1)) { vowel = "oe"; i++; }
			else vowel = "e";
		} else if (lead == TV_AE) vowel = "ae";
		else if (lead == TV_O) vowel = "o";
		else if (lead == TV_AI_MUAN || lead == TV_AI_MALAI) vowel = "ai";
		else if (v1 == TV_MAI_HAN_AKAT && next_w) { vowel = "ua"; i++; }
		else if (v1 == TV_MAI_HAN_AKAT || v1 == TV_SARA_A || v1 == TV_SARA_AA) vowel = "a";
		else if (v1 == TV_SARA_AM) vowel = "am";
		else if (v1 == TV_I || v1 == TV_II) vowel = "i";
		else if (v1 == TV_UE || v1 == TV_UEE) {
			vowel = "ue";
			if (next_o) i++;
		} else if (v1 == TV_U || v1 == TV_UU) vowel = "u";
		else if (v1 == TV_LAO_O) vowel = "o";
		else if (v1 == TV_LAO_IA) vowel = "ia";
		if (v2 == TV_SARA_AA && vowel && strcmp(vowel, "a") != 0)
			vowel = "a";
		have_final = i < n && u[i].kind == 1 && tfinal_at(u, n, i) &&
		    !(i + 1 < n && u[i + 1].kind == 2 && u[i + 1].code == TV_THANTHAKHAT);
		if (vowel == NULL) {
			/* bare consonant + ว + final: "ua" (e.g. สวน suan) */
			if (next_w && i + 1 < n && u[i + 1].kind == 1 && tfinal_at(u, n, i + 1)) {
				vowel = "ua";
				i++;
				have_final = true;
			} else
				vowel = have_final ? "o" : "a";
		}
		sbuf_adds(o, vowel);
		if (have_final) {
			sbuf_adds(o, u[i].c->fin);
			i++;
		}
		/* a silenced consonant (thanthakhat) */
		while (i < n && u[i].kind == 1 && i + 1 < n && u[i + 1].kind == 2 && u[i + 1].code == TV_THANTHAKHAT)
			i += 2;
		while (i < n && u[i].kind == 2 && (tsign_silent(u[i].code) || u[i].code == TV_THANTHAKHAT))
			i++;
	}
}

/* ---- Khmer (UNGEGN-like, simplified) ------------------------------------ */

static const char *const khmer_cons[0x23] = {
	"k","kh","k","kh","ng","ch","chh","ch","chh","nh","d","th","d","th","n","t","th","t",
	"th","n","b","ph","p","ph","m","y","r","l","v","s","s","s","h","l","",
};

static const char *
khmer_vowel(uint32_t cp)
{
	switch (cp) {
	case 0x17b6: return "a";   case 0x17b7: return "e";   case 0x17b8: return "ei";
	case 0x17b9: return "oe";  case 0x17ba: return "eu";  case 0x17bb: return "u";
	case 0x17bc: return "ou";  case 0x17bd: return "uo";  case 0x17be: return "aeu";
	case 0x17bf: return "oea"; case 0x17c0: return "ie";  case 0x17c1: return "e";
	case 0x17c2: return "ae";  case 0x17c3: return "ai";  case 0x17c4: return "ao";
	case 0x17c5: return "av";  case 0x17c6: return "m";   case 0x17c7: return "h";
	default: return NULL;
	}
}

static void
khmer_word(const uint32_t *cp, size_t n, struct sbuf *o)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];
		const char *v;

		if (c >= 0x1780 && c <= 0x17a2) {
			bool vowel_next = false;
			sbuf_adds(o, khmer_cons[c - 0x1780]);
			/* subscript consonants join the cluster */
			while (i + 2 < n + 1 && i + 1 < n && cp[i + 1] == 0x17d2 && i + 2 < n &&
			    cp[i + 2] >= 0x1780 && cp[i + 2] <= 0x17a2) {
				sbuf_adds(o, khmer_cons[cp[i + 2] - 0x1780]);
				i += 2;
			}
			for (size_t j = i + 1; j < n && (cp[j] < 0x1780 || cp[j] > 0x17a2); j++)
				if (khmer_vowel(cp[j]))
					vowel_next = true;
			/* inherent vowel for an open syllable followed by another consonant */
			if (!vowel_next && i + 1 < n && cp[i + 1] >= 0x1780 && cp[i + 1] <= 0x17a2 &&
			    (o->len == 0 || i == 0))
				sbuf_addc(o, 'a');
		} else if ((v = khmer_vowel(c)) != NULL) {
			sbuf_adds(o, v);
		} else if (c >= 0x17a3 && c <= 0x17b3) {
			sbuf_adds(o, "a");   /* independent vowels: approximate */
		}
	}
}

/* ---- ICU for the other scripts ------------------------------------------ */

static pthread_key_t  tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void
tl_free(void *p)
{
	utrans_close(p);
}
static void
tl_init(void)
{
	pthread_key_create(&tl_key, tl_free);
}

static UTransliterator *
translit(void)
{
	UTransliterator *t;
	UErrorCode st = U_ZERO_ERROR;
	UChar id[96];

	pthread_once(&tl_once, tl_init);
	if ((t = pthread_getspecific(tl_key)) != NULL)
		return t;
	u_uastrcpy(id, "NFKC; Any-Latin; Latin-ASCII; Lower");
	t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st))
		return NULL;
	pthread_setspecific(tl_key, t);
	return t;
}

static const char *
script_of(uint32_t cp)
{
	if (cp < 0x250) return "latin";
	if (cp >= 0x370 && cp < 0x400) return "greek";
	if (cp >= 0x400 && cp < 0x530) return "cyrillic";
	if (cp >= 0x590 && cp < 0x600) return "hebrew";
	if ((cp >= 0x600 && cp < 0x780) || (cp >= 0xfb50 && cp < 0xfe00) || (cp >= 0xfe70 && cp < 0xff00)) return "arabic";
	if (cp >= 0x900 && cp < 0x980) return "devanagari";
	if (cp >= 0xe00 && cp < 0xe80) return "thai";
	if (cp >= 0xe80 && cp < 0xf00) return "lao";
	if (cp >= 0x1000 && cp < 0x10a0) return "myanmar";
	if (cp >= 0x1780 && cp < 0x1800) return "khmer";
	if (cp >= 0x1100 && cp < 0x1200) return "hangul";
	if (cp >= 0xac00 && cp < 0xd7b0) return "hangul";
	if ((cp >= 0x3040 && cp < 0x3100)) return "kana";
	if ((cp >= 0x4e00 && cp < 0xa000) || (cp >= 0x3400 && cp < 0x4dc0) || (cp >= 0x20000 && cp < 0x30000)) return "han";
	return NULL;
}

/* ICU Any-Latin of UTF-8 text; join drops the spaces ICU puts between syllables. */
static int
icu_latin(const char *in, size_t len, char *out, size_t outsz, bool join, struct err *e)
{
	UChar ubuf[4 * NAME_MAX_BYTES];
	int32_t ulen = 0, limit, olen = 0;
	UErrorCode st = U_ZERO_ERROR;
	UTransliterator *t;

	if ((t = translit()) == NULL) {
		err_set(e, 500, "", "the ICU transliterator could not be opened");
		return -1;
	}
	u_strFromUTF8(ubuf, (int32_t)(sizeof(ubuf) / sizeof(ubuf[0])) - 1, &ulen, in, (int32_t)len, &st);
	if (U_FAILURE(st)) {
		err_set(e, 400, "name", "a name must be valid UTF-8 text");
		return -1;
	}
	limit = ulen;
	utrans_transUChars(t, ubuf, &ulen, (int32_t)(sizeof(ubuf) / sizeof(ubuf[0])) - 1, 0, &limit, &st);
	if (U_FAILURE(st)) {
		err_set(e, 400, "name", "a name is too long after transliteration");
		return -1;
	}
	st = U_ZERO_ERROR;
	u_strToUTF8(out, (int32_t)outsz - 1, &olen, ubuf, ulen, &st);
	if (U_FAILURE(st) || (size_t)olen >= outsz) {
		err_set(e, 400, "name", "a name is too long after transliteration");
		return -1;
	}
	out[olen] = 0;
	if (join) {
		size_t o = 0;
		for (int32_t i = 0; i < olen; i++)
			if (out[i] != ' ')
				out[o++] = out[i];
		out[o] = 0;
	}
	return 0;
}

int
name_latin(const char *in, size_t len, char *out, size_t outsz, struct err *e)
{
	const unsigned char *p = (const unsigned char *)in;
	struct sbuf pre, word;
	uint32_t wcp[NAME_MAX_BYTES];
	struct tunit tu[NAME_MAX_BYTES];
	size_t i = 0, nw = 0;
	int wkind = 0;   /* 0 none, 1 thai/lao, 2 khmer */
	int rc = -1;
	bool has_han = false;

	if (len > NAME_MAX_BYTES) {
		err_set(e, 400, "name", "a name is at most %d bytes", NAME_MAX_BYTES);
		return -1;
	}
	if (!utf8_valid(in, len)) {
		err_set(e, 400, "name", "a name must be valid UTF-8 text without control characters");
		return -1;
	}
	sbuf_init(&pre, 8 * NAME_MAX_BYTES);
	sbuf_init(&word, 4 * NAME_MAX_BYTES);
	while (i <= len) {
		uint32_t cp = 0;
		size_t k = 0;
		int kind = 0;

		if (i < len) {
			k = utf8_next(p + i, len - i, &cp);
			if (is_bidi_control(cp)) {
				err_set(e, 400, "name", "a name must not contain bidirectional control characters");
				goto out;
			}
			if (cp == 0x0639) {          /* Arabic ain: written 'a' in most romanisations */
				sbuf_addc(&pre, 'a');
				i += k;
				continue;
			}
			if (cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0xfeff) {
				i += k;
				continue;
			}
			if ((cp >= 0x4e00 && cp < 0xa000) || (cp >= 0x3400 && cp < 0x4dc0) || (cp >= 0x20000 && cp < 0x30000))
				has_han = true;
			if ((cp >= 0x0e00 && cp < 0x0f00))
				kind = 1;
			else if (cp >= 0x1780 && cp < 0x1800)
				kind = 2;
		}
		if (kind != wkind && nw) {
			sbuf_reset(&word);
			if (wkind == 1)
				thai_lao_word(tu, nw, &word);
			else
				khmer_word(wcp, nw, &word);
			sbuf_add(&pre, word.ptr ? word.ptr : "", word.len);
			nw = 0;
		}
		wkind = kind;
		if (i == len)
			break;
		if (kind == 1) {
			if (!tunit_of(cp, &tu[nw]))
				tu[nw].kind = 0;
			nw++;
		} else if (kind == 2) {
			wcp[nw++] = cp;
		} else
			sbuf_cp(&pre, cp);
		i += k;
	}
	if (pre.oom || pre.toobig) {
		err_set(e, 400, "name", "a name is too long");
		goto out;
	}
	if (!has_han) {
		if (icu_latin(pre.ptr ? pre.ptr : "", pre.len, out, outsz, false, e) == -1)
			goto out;
	} else {
		/* Han: each word alone, its syllables joined ("建宏" -> "jianhong"),
		 * so a two-character given name is one token as in "Jianhong". */
		size_t o = 0, i2 = 0;
		const char *pp = pre.ptr ? pre.ptr : "";
		out[0] = 0;
		while (i2 < pre.len) {
			size_t st = i2, k;
			bool han = false;
			char w[4 * NAME_MAX_BYTES];
			while (i2 < pre.len && pp[i2] != ' ')
				i2++;
			for (k = st; k < i2;) {
				uint32_t cp;
				size_t adv = utf8_next((const unsigned char *)pp + k, i2 - k, &cp);
				const char *sc = script_of(cp);
				if (sc && strcmp(sc, "han") == 0)
					han = true;
				k += adv;
			}
			if (i2 > st) {
				if (icu_latin(pp + st, i2 - st, w, sizeof(w), han, e) == -1)
					goto out;
				size_t wl = strlen(w);
				if (o + wl + 2 >= outsz) {
					err_set(e, 400, "name", "a name is too long after transliteration");
					goto out;
				}
				if (o) out[o++] = ' ';
				memcpy(out + o, w, wl + 1);
				o += wl;
			}
			while (i2 < pre.len && pp[i2] == ' ')
				i2++;
		}
	}
	rc = 0;
out:
	sbuf_free(&pre);
	sbuf_free(&word);
	return rc;
}

/* ---- tokens: equivalences, honorifics, connectors ----------------------- */

struct equiv { const char *from, *to; };

/* Spelling variants folded onto one form. Kept sorted by `from` at start. */
static struct equiv equivs[] = {
	{"mohammed","muhammad"}, {"mohammad","muhammad"}, {"mohamed","muhammad"},
	{"muhamad","muhammad"}, {"muhammed","muhammad"}, {"mohamad","muhammad"},
	{"mohd","muhammad"}, {"md","muhammad"}, {"mhd","muhammad"}, {"muhamed","muhammad"},
	{"mohammod","muhammad"}, {"mahomed","muhammad"}, {"mohamud","muhammad"},
	{"muhammet","muhammad"}, {"mehmet","muhammad"}, {"mohamaed","muhammad"},
	{"bd","abdul"}, {"mhmd","muhammad"}, {"ahmd","ahmad"}, {"bdallh","abdullah"}, {"bdallah","abdullah"},
	{"abd","abdul"}, {"abdel","abdul"}, {"abdol","abdul"}, {"abdal","abdul"},
	{"abdoul","abdul"}, {"abdu","abdul"}, {"abdool","abdul"}, {"abdu","abdul"},
	{"ahmed","ahmad"}, {"ahmet","ahmad"}, {"ahmat","ahmad"},
	{"hussein","husayn"}, {"husain","husayn"}, {"hussain","husayn"}, {"husein","husayn"},
	{"hossein","husayn"}, {"hussien","husayn"}, {"husin","husayn"}, {"hosein","husayn"},
	{"hassan","hasan"}, {"hasen","hasan"}, {"hassen","hasan"},
	{"yousef","yusuf"}, {"yusof","yusuf"}, {"youssef","yusuf"}, {"yousif","yusuf"},
	{"yousuf","yusuf"}, {"yossef","yusuf"}, {"yussuf","yusuf"}, {"youcef","yusuf"},
	{"osman","uthman"}, {"usman","uthman"}, {"othman","uthman"}, {"utsman","uthman"},
	{"omar","umar"}, {"omer","umar"}, {"oumar","umar"},
	{"abdallah","abdullah"}, {"abdulla","abdullah"}, {"abdalla","abdullah"},
	{"abou","abu"}, {"abo","abu"},
	{"ebrahim","ibrahim"}, {"ibraheem","ibrahim"}, {"ibrahem","ibrahim"},
	{"ismael","ismail"}, {"esmail","ismail"},
	{"khaled","khalid"}, {"khalied","khalid"},
	{"saeed","said"}, {"sayed","said"}, {"sayyid","said"}, {"syed","said"}, {"sa'id","said"},
	{"mustapha","mustafa"}, {"moustafa","mustafa"}, {"mostafa","mustafa"},
	{"mahmood","mahmud"}, {"mahmoud","mahmud"},
	{"jamal","jamal"}, {"gamal","jamal"},
	{"rahman","rahman"}, {"rehman","rahman"}, {"rahmane","rahman"},
	{"rahim","rahim"}, {"raheem","rahim"},
	{"karim","karim"}, {"kareem","karim"},
	{"salih","salih"}, {"saleh","salih"}, {"salah","salah"},
	{"aziz","aziz"}, {"azeez","aziz"},
	{"nasir","nasir"}, {"nasser","nasir"}, {"naser","nasir"}, {"nassir","nasir"},
	{"qadir","qadir"}, {"qader","qadir"}, {"kadir","qadir"}, {"qadeer","qadir"},
	{"haqqani","haqqani"}, {"haqani","haqqani"},
	{"mullah","mulla"},
	{"nguyen","nguyen"}, {"nguyan","nguyen"},
	{"tran","tran"},
	{"aung","aung"},
	{"somchai","somchai"},
	{"jose","jose"}, {"josé","jose"},
	{"aleksandr","alexander"}, {"aleksander","alexander"}, {"alexandr","alexander"},
	{"aleksei","alexei"}, {"alexey","alexei"}, {"aleksey","alexei"},
	{"sergei","sergey"}, {"sergej","sergey"},
	{"yuri","yury"}, {"yuriy","yury"}, {"iurii","yury"},
	{"dmitri","dmitry"}, {"dmitrii","dmitry"}, {"dmitriy","dmitry"},
	{"evgeny","yevgeny"}, {"evgenii","yevgeny"}, {"yevgeniy","yevgeny"}, {"evgeniy","yevgeny"},
	{"mikhail","mikhail"}, {"mihail","mikhail"},
	{"andrei","andrey"}, {"andrej","andrey"}, {"andriy","andrey"},
	{"nikolai","nikolay"}, {"nikolaj","nikolay"},
	{"vladimir","vladimir"}, {"volodymyr","vladimir"},
	{"viktor","victor"},
	/* Ukrainian and Belarusian spellings of the same names */
	{"oleksandr","alexander"}, {"aliaksandr","alexander"}, {"oleksiy","alexei"}, {"oleksii","alexei"},
	{"uladzimir","vladimir"}, {"mykola","nikolay"}, {"mikalai","nikolay"}, {"serhiy","sergey"},
	{"serhii","sergey"}, {"siarhei","sergey"}, {"andrii","andrey"}, {"dmytro","dmitry"},
	{"mykhailo","mikhail"}, {"yevhen","yevgeny"}, {"ievgen","yevgeny"}, {"yevhenii","yevgeny"},
	{"vitaliy","vitaly"}, {"vitalii","vitaly"}, {"vitali","vitaly"}, {"yurii","yury"},
	/* Korean romanisations */
	{"choe","choi"}, {"chwe","choi"}, {"pak","park"}, {"bak","park"}, {"rhee","lee"}, {"yi","lee"},
	{"ri","lee"}, {"gim","kim"},
	/* Arabic script read without short vowels */
	{"abw","abu"}, {"aly","ali"}, {"allh","allah"}, {"abdllh","abdullah"}, {"abdallh","abdullah"},
	{"mhmwd","mahmud"},
};

/* Honorifics and titles, dropped. "u" and "daw" (Burmese) only at the start. */
static const char *const honorifics[] = {
	"haji", "hajji", "hj", "hajjah", "hajah", "datuk", "dato", "datin", "tun", "toh", "puan",
	"encik", "cik", "tuan", "sheikh", "shaikh", "shaykh", "sheik", "mullah", "mulla",
	"maulavi", "mawlawi", "mawlavi", "maulvi", "maulana", "mawlana", "sayyed",
	"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "khun", "nai", "nang", "nangsao", "dame",
	"general", "gen", "col", "colonel", "capt", "captain", "lt", "sgt",
	"ustaz", "ustadz", "ustad", "pehin", "hon", "yb", "ybhg", "jr", "sr",
};
static const char *const lead_honorifics[] = { "u", "daw", "ko", "maung", "tan sri", "dato sri" };

/* Patronymic connectors: tokens after one are the father's (or mother's). */
static const char *const connectors[] = {
	"bin", "binti", "binte", "bint", "bte", "bt", "ibn", "ben", "ould", "walad", "wad",
	"al", "el", "a/l", "a/p", "s/o", "d/o", "b.", "bt.", "bte.", "anak", "ak",
	"bn", "bnt", "wld",   /* بن بنت ولد in Arabic script */
};
/* Particles that join a name but carry no identity. */
static const char *const particles[] = { "al", "el", "ul", "ad", "ud", "de", "da", "del",
	"von", "der", "den", "la", "di", "du", "y", "e" };   /* not "le", "van": Vietnamese names */

static int
equiv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct equiv *)a)->from, ((const struct equiv *)b)->from);
}
static pthread_once_t eq_once = PTHREAD_ONCE_INIT;
static void
eq_init(void)
{
	qsort(equivs, sizeof(equivs) / sizeof(equivs[0]), sizeof(equivs[0]), equiv_cmp);
}

static const char *
equiv_of(const char *t)
{
	struct equiv key = { t, NULL }, *f;

	pthread_once(&eq_once, eq_init);
	f = bsearch(&key, equivs, sizeof(equivs) / sizeof(equivs[0]), sizeof(equivs[0]), equiv_cmp);
	return f ? f->to : t;
}

/* The canonical forms of the equivalence table, sorted: names known apart. */
static const char *known[sizeof(equivs) / sizeof(equivs[0])];
static size_t nknown;
static pthread_once_t kn_once = PTHREAD_ONCE_INIT;

static int
str_pcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
kn_init(void)
{
	for (size_t i = 0; i < sizeof(equivs) / sizeof(equivs[0]); i++) {
		bool dup = false;
		for (size_t k = 0; k < nknown && !dup; k++)
			dup = strcmp(known[k], equivs[i].to) == 0;
		if (!dup)
			known[nknown++] = equivs[i].to;
	}
	qsort(known, nknown, sizeof(known[0]), str_pcmp);
}

static bool
known_name(const char *t)
{
	pthread_once(&kn_once, kn_init);
	return bsearch(&t, known, nknown, sizeof(known[0]), str_pcmp) != NULL;
}

static bool
in_list(const char *t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t, list[i]) == 0)
			return true;
	return false;
}
#define IN(t, l) in_list((t), (l), sizeof(l) / sizeof((l)[0]))

void
name_skeleton(const char *tok, char *out, size_t outsz)
{
	char tmp[NAME_TOK_LEN * 2 + 2];
	size_t n = 0, o = 0;
	const char *s = tok;

	if (outsz == 0)
		return;
	/* a glued article: al-/el- at the start of a long token */
	if ((strncmp(s, "al", 2) == 0 || strncmp(s, "el", 2) == 0) && strlen(s) >= 6)
		s += 2;
	for (size_t i = 0; s[i] && n + 2 < sizeof(tmp); i++) {
		char c = s[i], d = s[i + 1];
		if (c < 'a' || c > 'z') {
			if (c >= '0' && c <= '9')
				tmp[n++] = c;
			continue;
		}
		if (d == 'h' && (c == 'p')) { tmp[n++] = 'f'; i++; continue; }
		if (d == 'h' && (c == 'k' || c == 'g' || c == 't' || c == 'd' || c == 's' || c == 'z' || c == 'c')) {
			tmp[n++] = c == 'c' ? 'j' : c == 'z' ? 'j' : c; i++; continue;
		}
		switch (c) {
		case 'q': case 'c': tmp[n++] = 'k'; break;
		case 'z': tmp[n++] = 's'; break;
		case 'v': tmp[n++] = 'w'; break;
		case 'x': tmp[n++] = 'k'; tmp[n++] = 's'; break;
		case 'j': tmp[n++] = 'j'; break;
		case 'a': case 'e': case 'i': case 'o': case 'u': case 'y': case 'h': case 'w':
			break;
		default: tmp[n++] = c;
		}
	}
	tmp[n] = 0;
	for (size_t i = 0; i < n && o + 1 < outsz; i++)
		if (o == 0 || out[o - 1] != tmp[i])
			out[o++] = tmp[i];
	if (o == 0 && tok[0] && outsz > 1)
		out[o++] = tok[0];
	out[o] = 0;
}

int
name_normalise(const char *in, size_t len, struct name_norm *nn, struct err *e)
{
	char lat[4 * NAME_MAX_BYTES], raw[NAME_MAX_TOKENS * 2][NAME_TOK_LEN + 1];
	bool dot[NAME_MAX_TOKENS * 2];
	const unsigned char *p = (const unsigned char *)in;
	int nraw = 0, first_conn = -1;
	size_t i;

	memset(nn, 0, sizeof(*nn));
	if (name_latin(in, len, lat, sizeof(lat), e) == -1)
		return -1;
	/* the dominant non-Latin script, for reporting */
	str_copy(nn->script, sizeof(nn->script), "latin");
	for (i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_next(p + i, len - i, &cp);
		const char *s = script_of(cp);
		if (cp >= 0x80 && s && strcmp(s, "latin") != 0) {
			str_copy(nn->script, sizeof(nn->script), s);
			break;
		}
		i += k;
	}
	/* words: split on anything but letters, digits, '/' and '.'; keep
	 * "a/l" and "b." forms for the connector test. */
	for (i = 0; lat[i] && nraw < NAME_MAX_TOKENS * 2;) {
		char w[NAME_TOK_LEN * 2];
		size_t n = 0;
		while (lat[i] && !((lat[i] >= 'a' && lat[i] <= 'z') || (lat[i] >= '0' && lat[i] <= '9')))
			i++;
		while (lat[i] && ((lat[i] >= 'a' && lat[i] <= 'z') || (lat[i] >= '0' && lat[i] <= '9') ||
		    lat[i] == '/' || lat[i] == '.' || lat[i] == '\'' || (unsigned char)lat[i] >= 0x80)) {
			if (n + 1 < sizeof(w) && (unsigned char)lat[i] < 0x80 && lat[i] != '\'')
				w[n++] = lat[i];
			i++;
		}
		w[n] = 0;
		if (n == 0)
			continue;
		/* "a/l" stays one word; "x/y" otherwise splits; trailing dots mark abbreviations */
		char *slash = strchr(w, '/');
		if (slash && !(n == 3 && (strcmp(w, "a/l") == 0 || strcmp(w, "a/p") == 0 ||
		    strcmp(w, "s/o") == 0 || strcmp(w, "d/o") == 0))) {
			*slash = 0;
			if (w[0] && nraw < NAME_MAX_TOKENS * 2) {
				str_copy(raw[nraw], sizeof(raw[0]), w);
				dot[nraw++] = false;
			}
			memmove(w, slash + 1, strlen(slash + 1) + 1);
			n = strlen(w);
		}
		/* dots inside a word split it ("b.salman"); a final dot is kept as a flag */
		char *save = w, *d;
		while ((d = strchr(save, '.')) != NULL && nraw < NAME_MAX_TOKENS * 2) {
			*d = 0;
			if (*save) {
				str_copy(raw[nraw], sizeof(raw[0]), save);
				dot[nraw++] = true;
			}
			save = d + 1;
		}
		if (*save && nraw < NAME_MAX_TOKENS * 2) {
			str_copy(raw[nraw], sizeof(raw[0]), save);
			dot[nraw++] = false;
		}
	}
	/* Arabic script: the article is written joined (الحبيب -> "alhbyb"), and
	 * so is 'Abd al- in compound names (عبداللطيف -> "abdalltyf"): split
	 * them as a Latin spelling would ("habib", "abd latif"). */
	if (strcmp(nn->script, "arabic") == 0) {
		for (int r = 0; r < nraw; r++) {
			size_t l = strlen(raw[r]);
			if (strncmp(raw[r], "abdal", 5) == 0 && l >= 8 && nraw < NAME_MAX_TOKENS * 2) {
				memmove(raw[r + 1], raw[r], sizeof(raw[0]) * (size_t)(nraw - r));
				memmove(dot + r + 1, dot + r, sizeof(dot[0]) * (size_t)(nraw - r));
				nraw++;
				str_copy(raw[r], sizeof(raw[0]), "abd");
				memmove(raw[r + 1], raw[r + 1] + 5, l - 5 + 1);
				r++;
			} else if (strncmp(raw[r], "al", 2) == 0 && l >= 5 && strcmp(raw[r], "allh") != 0)
				memmove(raw[r], raw[r] + 2, l - 2 + 1);
		}
	}
	/* honorifics at the start (Burmese U/Daw, Tan Sri ...) */
	int start = 0;
	while (start < nraw) {
		if (IN(raw[start], lead_honorifics) && start + 1 < nraw) { start++; continue; }
		if (start + 1 < nraw && ((strcmp(raw[start], "tan") == 0 && strcmp(raw[start + 1], "sri") == 0) ||
		    (strcmp(raw[start], "dato") == 0 && strcmp(raw[start + 1], "sri") == 0) ||
		    (strcmp(raw[start], "datuk") == 0 && strcmp(raw[start + 1], "seri") == 0)) && start + 2 < nraw) {
			start += 2;
			continue;
		}
		break;
	}
	for (int pass = 0; pass < 2 && nn->ntok == 0; pass++) {
	/* pass 1: nothing was left (a name of particles and titles only): keep them */
	bool keep = pass == 1;
	first_conn = -1;
	if (keep)
		start = 0;
	for (int r = start; r < nraw && nn->ntok < NAME_MAX_TOKENS; r++) {
		const char *t = raw[r];
		bool conn;
		if (!keep && IN(t, honorifics) && nraw - start > 1)
			continue;
		conn = IN(t, connectors) || (strcmp(t, "b") == 0 && dot[r]) ||
		    (strcmp(t, "bt") == 0);
		/* a connector between two name parts splits own from father's name;
		 * "al"/"el" only split when followed by a name and preceded by one,
		 * and otherwise are particles */
		if (conn && nn->ntok > 0 && r + 1 < nraw) {
			if (strcmp(t, "al") == 0 || strcmp(t, "el") == 0 || strcmp(t, "ak") == 0)
				continue;   /* article: a particle, not a connector */
			if (first_conn < 0)
				first_conn = nn->ntok;
			continue;
		}
		if (!keep && IN(t, particles) && nraw - start > 2)
			continue;
		struct name_tok *tk = &nn->t[nn->ntok];
		str_copy(tk->s, sizeof(tk->s), equiv_of(t));
		name_skeleton(tk->s, tk->skel, sizeof(tk->skel));
		tk->side = first_conn >= 0 ? 1 : 0;
		nn->ntok++;
	}
	}
	if (first_conn >= 0 && first_conn < nn->ntok)
		nn->patronym = true;
	else
		for (int k = 0; k < nn->ntok; k++)
			nn->t[k].side = 0;
	if (nn->ntok == 0) {
		err_set(e, 400, "name", "a name needs at least one letter or digit");
		return -1;
	}
	return 0;
}

int
name_dob_parse(const char *s, struct name_dob *out)
{
	int64_t y = 0, m = 0, d = 0;
	size_t n = strlen(s);
	time_t now = time(NULL);
	struct tm tm;

	memset(out, 0, sizeof(*out));
	gmtime_r(&now, &tm);
	if (n != 4 && n != 7 && n != 10)
		return -1;
	if (parse_i64(s, 4, &y) == -1)
		return -1;
	if (n >= 7 && (s[4] != '-' || parse_i64(s + 5, 2, &m) == -1 || m < 1 || m > 12))
		return -1;
	if (n == 10 && (s[7] != '-' || parse_i64(s + 8, 2, &d) == -1 || d < 1 || d > 31))
		return -1;
	if (n == 10 && !date_valid(s))
		return -1;
	if (y < 1850 || y > tm.tm_year + 1900)
		return -1;
	out->y = (int16_t)y;
	out->m = (int8_t)m;
	out->d = (int8_t)d;
	return 0;
}

/* ---- similarity ---------------------------------------------------------- */

static int
lev(const char *a, size_t na, const char *b, size_t nb)
{
	int row[2 * NAME_TOK_LEN * NAME_MAX_TOKENS + 2];
	if (nb + 1 > sizeof(row) / sizeof(row[0]))
		nb = sizeof(row) / sizeof(row[0]) - 1;
	for (size_t j = 0; j <= nb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= na; i++) {
		int prev = row[0], tmp;
		row[0] = (int)i;
		for (size_t j = 1; j <= nb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int v = prev + cost;
			if (row[j] + 1 < v) v = row[j] + 1;
			if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
			tmp = row[j];
			row[j] = v;
			prev = tmp;
		}
	}
	return row[nb];
}

static double
levsim(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), mx = na > nb ? na : nb;
	if (mx == 0)
		return 0;
	return 1.0 - (double)lev(a, na, b, nb) / (double)mx;
}

enum how { HOW_NONE, HOW_EXACT, HOW_EQUIV, HOW_SPELLING, HOW_PHONETIC, HOW_INITIAL, HOW_TRANSLIT,
	HOW_ARTICLE, HOW_GLUED };
static const char *const how_name[] = { "none", "exact", "equivalent", "spelling", "phonetic", "initial",
	"transliteration", "article", "glued" };

/* ---- transliteration variants ---------------------------------------------
 * The same name romanised by different hands (Tohir/Takhir, Ameen/Amin,
 * Oubida/Obaidah, Ho-Chin/Ho-Jin, Dikij/Dikiy): an edit distance over
 * folded symbols where the edits romanisations disagree on are cheap
 * (vowel qualities, an h after a consonant, kh/h, q/k/g, ch/j, doubled
 * letters) and the others cost 1. Digraphs are folded to one symbol first:
 * kh H, sh S, ch C, tch C, th T, dh D, gh G, zh Z, ph f, dj j, ck k, x ks,
 * ou oo u, ee i; doubled symbols are single; a final h after a vowel is not
 * written in the other script. */

#define TL_MAX (NAME_TOK_LEN + 8)

static int
tl_fold(const char *t, char *o)
{
	int n = 0;
	size_t l = strlen(t);

	for (size_t i = 0; i < l && n + 2 < TL_MAX; i++) {
		char c = t[i], d = i + 1 < l ? t[i + 1] : 0, e = i + 2 < l ? t[i + 2] : 0, f = 0;
		if (c == 't' && d == 'c' && e == 'h') { f = 'C'; i += 2; }
		else if (d == 'h' && (c == 'k' || c == 's' || c == 'c' || c == 't' || c == 'd' || c == 'g' ||
		    c == 'z' || c == 'p')) {
			f = c == 'k' ? 'H' : c == 's' ? 'S' : c == 'c' ? 'C' : c == 't' ? 'T' : c == 'd' ? 'D' :
			    c == 'g' ? 'G' : c == 'z' ? 'Z' : 'f';
			i++;
		} else if (c == 'd' && d == 'j') { f = 'j'; i++; }
		else if (c == 'c' && d == 'k') { f = 'k'; i++; }
		else if ((c == 'o' && (d == 'u' || d == 'o'))) { f = 'u'; i++; }
		else if (c == 'e' && d == 'e') { f = 'i'; i++; }
		else if (c == 'x') { o[n++] = 'k'; f = 's'; }
		else if (c == 'h' && d == 0 && n > 0 && strchr("aeiouy", o[n - 1]))
			continue;
		else
			f = c;
		if (n > 0 && o[n - 1] == f)
			continue;
		o[n++] = f;
	}
	o[n] = 0;
	return n;
}

static bool
tl_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static float tl_cost[128][128];   /* substitution costs, built once */
static float tl_del[128];         /* insertion / deletion costs */
static pthread_once_t tl_once_cost = PTHREAD_ONCE_INIT;

static void
tl_cost_init(void)
{
	static const struct { char a, b; float c; } cheap[] = {
		{'a','e',.3f}, {'e','i',.3f}, {'o','u',.3f}, {'i','y',.2f}, {'e','y',.3f},
		{'a','o',.5f}, {'a','u',.5f}, {'e','o',.5f}, {'i','u',.5f}, {'a','i',.6f}, {'e','u',.6f},
		{'i','o',.6f}, {'o','y',.6f}, {'u','y',.5f}, {'a','y',.6f},
		{'u','w',.3f}, {'o','w',.4f}, {'v','w',.2f}, {'f','v',.4f}, {'b','p',.5f}, {'f','p',.4f},
		{'H','h',.2f}, {'H','k',.3f}, {'G','g',.2f}, {'G','q',.3f}, {'G','k',.4f}, {'g','q',.4f},
		{'g','k',.4f}, {'k','q',.2f}, {'c','k',.1f}, {'c','q',.2f}, {'c','s',.4f},
		{'S','s',.4f}, {'C','S',.3f}, {'C','j',.3f}, {'C','k',.5f}, {'g','j',.4f}, {'j','y',.3f},
		{'i','j',.4f}, {'Z','j',.3f}, {'Z','z',.3f}, {'T','t',.2f}, {'T','s',.4f}, {'D','d',.2f},
		{'D','z',.3f}, {'s','z',.3f}, {'d','t',.5f}, {'j','z',.5f}, {'S','j',.5f},
		{'g','h',.4f},   /* Ukrainian h, Russian g: Ihor/Igor, Hasan/Gasan */
	};
	for (int i = 0; i < 128; i++) {
		for (int j = 0; j < 128; j++)
			tl_cost[i][j] = i == j ? 0.0f : 1.0f;
		tl_del[i] = tl_vowel((char)i) ? 0.5f : i == 'h' ? 0.3f : i == 'w' ? 0.5f : 1.0f;
	}
	for (size_t i = 0; i < sizeof(cheap) / sizeof(cheap[0]); i++) {
		tl_cost[(unsigned char)cheap[i].a][(unsigned char)cheap[i].b] = cheap[i].c;
		tl_cost[(unsigned char)cheap[i].b][(unsigned char)cheap[i].a] = cheap[i].c;
	}
}

static inline double
tl_sub(char a, char b)
{
	return tl_cost[(unsigned char)a & 127][(unsigned char)b & 127];
}

static inline double
tl_indel(char c)
{
	return tl_del[(unsigned char)c & 127];
}

/* Weighted similarity of two folded forms in [0,1]; 0 as soon as it cannot
 * reach minsim (the cheapest row already costs too much): most candidate
 * pairs end after a row or two, which is what keeps this off the profile. */
static double
tl_sim_folded(const char *a, int na, const char *b, int nb, double minsim)
{
	double row[TL_MAX + 1], prev, tmp, maxcost;
	int mx = na > nb ? na : nb;

	if (mx == 0)
		return 0;
	pthread_once(&tl_once_cost, tl_cost_init);
	maxcost = (1.0 - minsim) * (double)mx + 1e-9;
	if ((na > nb ? na - nb : nb - na) * 0.3 > maxcost)
		return 0;
	row[0] = 0;
	for (int j = 1; j <= nb; j++)
		row[j] = row[j - 1] + tl_indel(b[j - 1]);
	for (int i = 1; i <= na; i++) {
		double ai = tl_indel(a[i - 1]), lo;
		const float *cost = tl_cost[(unsigned char)a[i - 1] & 127];
		prev = row[0];
		row[0] += ai;
		lo = row[0];
		for (int j = 1; j <= nb; j++) {
			double v = prev + cost[(unsigned char)b[j - 1] & 127];
			double u = row[j] + ai;
			double w = row[j - 1] + tl_indel(b[j - 1]);
			if (u < v) v = u;
			if (w < v) v = w;
			tmp = row[j];
			row[j] = v;
			prev = tmp;
			if (v < lo) lo = v;
		}
		if (lo > maxcost)
			return 0;
	}
	return row[nb] > maxcost ? 0 : 1.0 - row[nb] / (double)mx;
}

/* Similarity of two tokens as romanisations of one name, or 0 when it is
 * below minsim. */
static double
tl_sim(const char *a, const char *b, double minsim)
{
	char fa[TL_MAX], fb[TL_MAX];
	int na = tl_fold(a, fa), nb = tl_fold(b, fb);

	if ((na > nb ? na - nb : nb - na) > 3)
		return 0;
	return tl_sim_folded(fa, na, fb, nb, minsim);
}

/* Names the equivalence tables know as distinct (Hasan and Husayn, Salih
 * and Salah): no fuzzy match between two of them. */
static bool known_name(const char *t);

/* A glued article or its assimilated form: "alagha" / "agha",
 * "arrahman" / "rahman", "ashshami" / "shami", "uddin" / "din". */
static bool
article_glued(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la < lb) { const char *t = a; a = b; b = t; size_t k = la; la = lb; lb = k; }
	if (lb < 3)
		return false;
	if (la == lb + 2 && (a[0] == 'a' || a[0] == 'e' || a[0] == 'u') && a[1] == 'l' && strcmp(a + 2, b) == 0)
		return true;
	/* sun letters: a + doubled consonant */
	if (la == lb + 2 && (a[0] == 'a' || a[0] == 'e' || a[0] == 'u') && a[1] == b[0] && strcmp(a + 2, b) == 0)
		return true;
	if (la == lb + 3 && (a[0] == 'a' || a[0] == 'e' || a[0] == 'u') && a[1] == b[0] && a[2] == b[1] &&
	    b[1] == 'h' && strcmp(a + 3, b) == 0)
		return true;
	return false;
}

/* Similarity of two canonical tokens (q as typed after folding, c from the index). */
static bool is_abjad(const char *script);

static double
tok_sim(const char *q, const char *qskel, const char *c, const char *cskel, bool abjad, enum how *how)
{
	size_t lq = strlen(q), lc = strlen(c);
	double s;

	*how = HOW_NONE;
	if (strcmp(q, c) == 0) {
		*how = HOW_EXACT;
		return 1.0;
	}
	if ((lq == 1 || lc == 1) && q[0] == c[0]) {
		*how = HOW_INITIAL;
		return 0.6;
	}
	if (lq < 2 || lc < 2)
		return 0;
	if (article_glued(q, c)) {
		*how = HOW_ARTICLE;
		return 0.95;
	}
	if (known_name(q) && known_name(c))
		return 0;      /* two names the tables know apart */
	/* the edit distance only when it can matter: same skeleton, or lengths
	 * close enough for a spelling variant (it is the hot spot) */
	bool same_skel = qskel[0] && strcmp(qskel, cskel) == 0;
	size_t dl = lq > lc ? lq - lc : lc - lq, mx = lq > lc ? lq : lc;
	if (!same_skel && (double)dl > 0.34 * (double)mx)
		return 0;
	if (!same_skel && q[0] != c[0] && q[1] != c[1] && q[0] != c[1] && q[1] != c[0] && mx <= 5)
		return 0;
	s = levsim(q, c);
	if (same_skel && s >= (strlen(qskel) <= 3 ? 0.6 : 0.5) && (lq > lc ? lq - lc : lc - lq) <= 2 &&
	    (strlen(qskel) >= 3 || (strlen(qskel) == 2 && s >= 0.7))) {
		double p = 0.6 + 0.35 * s;
		if (p > 0.95) p = 0.95;
		if (p >= s * 0.95) {
			*how = HOW_PHONETIC;
			return p;
		}
	}
	/* a script without short vowels: the consonant skeleton is what was written */
	if (abjad && same_skel && (strlen(qskel) >= 3 || (strlen(qskel) == 2 && tl_sim(q, c, 0.7) >= 0.7))) {
		*how = HOW_PHONETIC;
		return s > 0.85 ? s : 0.85;
	}
	double best = 0;
	if (lq >= 4 && lc >= 4 && s >= 0.75) {
		*how = HOW_SPELLING;
		best = s * 0.95;
	} else if (lq >= 3 && lc >= 3 && (lq == 3 || lc == 3) && s >= 0.66 && q[0] == c[0]) {
		*how = HOW_SPELLING;
		best = 0.6;
	}
	/* romanisation variants: cheap edits where transliterations disagree */
	double tmin = lq <= 3 || lc <= 3 ? 0.9 : 0.85;
	double t = tl_sim(q, c, tmin);
	if (t >= tmin) {
		t = 0.3 + 0.65 * t;
		if (t > best) {
			*how = HOW_TRANSLIT;
			best = t;
		}
	}
	return best;
}

struct stok { const char *s, *skel; uint8_t side; double w; };

static bool
is_abjad(const char *script)
{
	return strcmp(script, "arabic") == 0 || strcmp(script, "hebrew") == 0;
}

struct align_out {
	double score;
	int    npair;
	int    qi[NAME_MAX_TOKENS], ci[NAME_MAX_TOKENS];
	double sim[NAME_MAX_TOKENS];
	enum how how[NAME_MAX_TOKENS];
	uint8_t two[NAME_MAX_TOKENS];   /* glued pair: 1 record tokens ci, ci+1; 2 query tokens qi, qi+1 */
	bool   crossed;       /* a pair matched own name against father's name */
	double joined;        /* the whole-name skeleton comparison, when it won */
};

#define OMIT_WEIGHT   0.30   /* cost of a token on one side only, relative to a matched one */
#define SUBST_WEIGHT  1.25   /* cost of tokens unmatched on both sides */
#define CROSS_PENALTY    0.25   /* sim kept when own name pairs with father's name */

/* Does t occur as a token of v? (A token matched exactly is never glued.) */
static bool
has_exact(const char *t, const struct stok *v, int n)
{
	for (int k = 0; k < n; k++)
		if (strcmp(t, v[k].s) == 0)
			return true;
	return false;
}

static double
align(const struct stok *q, int nq, bool qpat, const struct stok *c, int nc, bool cpat, bool abjad,
    struct align_out *ao)
{
	double sim[NAME_MAX_TOKENS][NAME_MAX_TOKENS];
	enum how how[NAME_MAX_TOKENS][NAME_MAX_TOKENS];
	bool qu[NAME_MAX_TOKENS] = {0}, cu[NAME_MAX_TOKENS] = {0};
	double m = 0, full = 0, un = 0;

	memset(ao, 0, sizeof(*ao));
	for (int i = 0; i < nq; i++)
		for (int j = 0; j < nc; j++) {
			sim[i][j] = tok_sim(q[i].s, q[i].skel, c[j].s, c[j].skel, abjad, &how[i][j]);
			if (qpat && cpat && q[i].side != c[j].side)
				sim[i][j] *= CROSS_PENALTY;
		}
	/* Glued or split tokens ("Obaidullah" / "Obaid Ullah", "Abdulrahman" /
	 * "Abdul Rahman"): one token against two adjacent ones of the other
	 * name, joined, matched first and counted for both. */
	for (int pass = 0; pass < 2; pass++) {
		const struct stok *a = pass ? c : q, *b = pass ? q : c;
		int na = pass ? nc : nq, nb = pass ? nq : nc;
		bool *au = pass ? cu : qu, *bu = pass ? qu : cu;
		for (int i = 0; i < na; i++) {
			size_t la = strlen(a[i].s);
			if (au[i] || la < 6 || has_exact(a[i].s, b, nb))
				continue;
			for (int j = 0; j + 1 < nb; j++) {
				char jn[2 * NAME_TOK_LEN + 2];
				size_t l1 = strlen(b[j].s), l2 = strlen(b[j + 1].s);
				double js;
				if (bu[j] || bu[j + 1] || l1 < 2 || l2 < 2 || l1 + l2 + 2 < la || l1 + l2 > la + 2 ||
				    b[j].side != b[j + 1].side || has_exact(b[j].s, a, na) || has_exact(b[j + 1].s, a, na))
					continue;
				memcpy(jn, b[j].s, l1);
				memcpy(jn + l1, b[j + 1].s, l2 + 1);
				js = strcmp(jn, a[i].s) == 0 ? 1.0 : tl_sim(jn, a[i].s, abjad ? 0.75 : 0.9);
				if (js < 0.9 && abjad && js >= 0.75) {
					/* Arabic script: the consonants are what was written */
					char k1[NAME_TOK_LEN + 1], k2[NAME_TOK_LEN + 1];
					name_skeleton(jn, k1, sizeof(k1));
					name_skeleton(a[i].s, k2, sizeof(k2));
					if (strlen(k1) >= 3 && strcmp(k1, k2) == 0)
						js = 0.9;
				}
				if (js < 0.9)
					continue;
				js = js >= 1.0 ? 0.97 : 0.3 + 0.65 * js;
				au[i] = bu[j] = bu[j + 1] = true;
				if (ao->npair < NAME_MAX_TOKENS) {
					ao->qi[ao->npair] = pass ? j : i;
					ao->ci[ao->npair] = pass ? i : j;
					ao->sim[ao->npair] = js;
					ao->how[ao->npair] = HOW_GLUED;
					ao->two[ao->npair] = pass ? 2 : 1;
					ao->npair++;
				}
				m += js * (a[i].w + b[j].w + b[j + 1].w);
				full += a[i].w + b[j].w + b[j + 1].w;
				break;
			}
		}
	}
	/* greedy: best pair first (ties: the heavier pair) */
	for (;;) {
		int bi = -1, bj = -1;
		double best = 0;
		for (int i = 0; i < nq; i++) {
			if (qu[i]) continue;
			for (int j = 0; j < nc; j++) {
				double v;
				if (cu[j]) continue;
				v = sim[i][j] * (q[i].w + c[j].w);
				if (sim[i][j] > 0 && v > best) { best = v; bi = i; bj = j; }
			}
		}
		if (bi < 0)
			break;
		qu[bi] = cu[bj] = true;
		ao->qi[ao->npair] = bi;
		ao->ci[ao->npair] = bj;
		ao->sim[ao->npair] = sim[bi][bj];
		ao->how[ao->npair] = how[bi][bj];
		if (qpat && cpat && q[bi].side != c[bj].side)
			ao->crossed = true;
		ao->npair++;
		m += sim[bi][bj] * (q[bi].w + c[bj].w);
		full += q[bi].w + c[bj].w;
	}
	double uq = 0, uc = 0, sub, omit;
	for (int i = 0; i < nq; i++) if (!qu[i]) uq += q[i].w;
	for (int j = 0; j < nc; j++) if (!cu[j]) uc += c[j].w;
	(void)un;
	/* A token on one side only is an omission (aliases drop middle names);
	 * tokens unmatched on both sides are a substitution: another given or
	 * father's name, evidence of another person. */
	sub = uq < uc ? uq : uc;
	omit = (uq > uc ? uq : uc) - sub;
	ao->score = full + uq + uc > 0 ? m / (full + SUBST_WEIGHT * 2 * sub + OMIT_WEIGHT * omit) : 0;
	/* Only one side says which part is the father's: the other side's order
	 * must agree (own name first), or the parts are swapped. */
	if (qpat != cpat && ao->npair >= 2) {
		const struct stok *pt = qpat ? q : c;
		int max_own = -1, min_fat = 1 << 30;
		for (int k = 0; k < ao->npair; k++) {
			int side = pt[qpat ? ao->qi[k] : ao->ci[k]].side;
			int pos = qpat ? ao->ci[k] : ao->qi[k];
			if (side == 0 && pos > max_own) max_own = pos;
			if (side == 1 && pos < min_fat) min_fat = pos;
		}
		if (max_own >= 0 && min_fat < (1 << 30) && max_own > min_fat) {
			ao->crossed = true;
			ao->score *= 0.7;
		}
	}
	/* Glued or split tokens ("Abdulrahman" / "Abdul Rahman"): compare the
	 * joined names; an abjad query (Arabic script read without short
	 * vowels) compares the joined skeletons. */
	if (nq != nc && !ao->crossed) {
		char qj[NAME_TOK_LEN * NAME_MAX_TOKENS + 1], cj[NAME_TOK_LEN * NAME_MAX_TOKENS + 1];
		size_t lq = 0, lc = 0;
		for (int pass = 0; pass < 2; pass++) {
			lq = lc = 0;
			for (int i = 0; i < nq; i++) {
				const char *t = pass ? q[i].skel : q[i].s;
				size_t k = strlen(t);
				if (lq + k < sizeof(qj)) { memcpy(qj + lq, t, k); lq += k; }
			}
			for (int j = 0; j < nc; j++) {
				const char *t = pass ? c[j].skel : c[j].s;
				size_t k = strlen(t);
				if (lc + k < sizeof(cj)) { memcpy(cj + lc, t, k); lc += k; }
			}
			qj[lq] = cj[lc] = 0;
			if (pass == 1 && !abjad)
				break;
			if (lq < (pass ? 6u : 8u) || lc < (pass ? 6u : 8u))
				continue;
			double js = levsim(qj, cj);
			if (pass == 0 && js < 0.9)
				continue;
			if (pass == 1 && js < 0.8)
				continue;
			js *= pass ? 0.9 : 0.97;
			if (js > ao->score) {
				ao->joined = js;
				ao->score = js;
			}
		}
	}
	return ao->score;
}

double
name_pair_score(const struct name_norm *a, const struct name_norm *b)
{
	struct stok q[NAME_MAX_TOKENS], c[NAME_MAX_TOKENS];
	struct align_out ao;

	for (int i = 0; i < a->ntok; i++)
		q[i] = (struct stok){ a->t[i].s, a->t[i].skel, a->t[i].side, 1.0 };
	for (int j = 0; j < b->ntok; j++)
		c[j] = (struct stok){ b->t[j].s, b->t[j].skel, b->t[j].side, 1.0 };
	return align(q, a->ntok, a->patronym, c, b->ntok, b->patronym, is_abjad(a->script) || is_abjad(b->script), &ao);
}

/* ---- the index ----------------------------------------------------------- */

struct u32vec { uint32_t *v; uint32_t n, cap; };

static int
vpush(struct u32vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		uint32_t nc = v->cap ? v->cap * 2 : 4;
		uint32_t *p = realloc(v->v, nc * sizeof(*p));
		if (p == NULL)
			return -1;
		v->v = p;
		v->cap = nc;
	}
	v->v[v->n++] = x;
	return 0;
}

/* A string -> id map with its own key storage. */
struct smap {
	uint32_t *slot;      /* id + 1; 0 empty */
	uint32_t  cap, n;
	uint32_t *off;       /* key offset of each id */
	uint32_t  offcap;
	char     *arena;
	size_t    alen, acap;
};

static uint64_t
hstr(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static const char *
smap_key(const struct smap *m, uint32_t id)
{
	return m->arena + m->off[id];
}

static uint32_t
smap_get(const struct smap *m, const char *k)
{
	if (m->cap == 0)
		return UINT32_MAX;
	for (uint64_t i = hstr(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		uint32_t s = m->slot[i];
		if (s == 0)
			return UINT32_MAX;
		if (strcmp(smap_key(m, s - 1), k) == 0)
			return s - 1;
	}
}

static int
smap_grow(struct smap *m)
{
	uint32_t nc = m->cap ? m->cap * 2 : 1024;
	uint32_t *ns = calloc(nc, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (uint32_t i = 0; i < m->cap; i++) {
		uint32_t s = m->slot[i];
		if (s == 0) continue;
		uint64_t j = hstr(smap_key(m, s - 1)) & (nc - 1);
		while (ns[j]) j = (j + 1) & (nc - 1);
		ns[j] = s;
	}
	free(m->slot);
	m->slot = ns;
	m->cap = nc;
	return 0;
}

/* The id of k, inserting it when new (*isnew set). UINT32_MAX on OOM. */
static uint32_t
smap_put(struct smap *m, const char *k, bool *isnew)
{
	uint32_t id = smap_get(m, k);
	size_t kl = strlen(k) + 1;

	*isnew = false;
	if (id != UINT32_MAX)
		return id;
	if ((m->n + 1) * 10 >= m->cap * 7 && smap_grow(m) == -1)
		return UINT32_MAX;
	if (m->n == m->offcap) {
		uint32_t nc = m->offcap ? m->offcap * 2 : 1024;
		uint32_t *p = realloc(m->off, nc * sizeof(*p));
		if (p == NULL) return UINT32_MAX;
		m->off = p;
		m->offcap = nc;
	}
	if (m->alen + kl > m->acap) {
		size_t nc = m->acap ? m->acap * 2 : 16384;
		while (nc < m->alen + kl) nc *= 2;
		char *p = realloc(m->arena, nc);
		if (p == NULL) return UINT32_MAX;
		m->arena = p;
		m->acap = nc;
	}
	memcpy(m->arena + m->alen, k, kl);
	m->off[m->n] = (uint32_t)m->alen;
	m->alen += kl;
	uint64_t j = hstr(k) & (m->cap - 1);
	while (m->slot[j]) j = (j + 1) & (m->cap - 1);
	m->slot[j] = m->n + 1;
	*isnew = true;
	return m->n++;
}

static void
smap_free(struct smap *m)
{
	free(m->slot);
	free(m->off);
	free(m->arena);
}

#define TRI_ALPHA 37
#define TRI_N     (TRI_ALPHA * TRI_ALPHA * TRI_ALPHA)

static int
tri_ch(char c)
{
	if (c >= 'a' && c <= 'z') return c - 'a' + 1;
	if (c >= '0' && c <= '9') return c - '0' + 27;
	return 0;
}

/* Trigrams of "$tok$". */
static int
trigrams(const char *t, uint32_t *out, int max)
{
	char b[NAME_TOK_LEN + 3];
	int n = 0;
	size_t l = strlen(t);

	if (l > NAME_TOK_LEN) l = NAME_TOK_LEN;
	b[0] = '$';
	memcpy(b + 1, t, l);
	b[l + 1] = '$';
	b[l + 2] = 0;
	for (size_t i = 0; i + 3 <= l + 2 && n < max; i++)
		out[n++] = (uint32_t)(tri_ch(b[i]) * TRI_ALPHA * TRI_ALPHA + tri_ch(b[i + 1]) * TRI_ALPHA + tri_ch(b[i + 2]));
	return n;
}

struct nname {
	uint32_t person, off;
	uint16_t name_no;
	uint8_t  ntok;
	uint8_t  flags;          /* 1 weak, 2 patronym */
};

struct nperson {
	char            id[32];
	int64_t         rid;
	bool            dead;
	uint8_t         ndob, nnat;
	struct name_dob dob[NIDX_MAX_DOB];
	char            nat[NIDX_MAX_NAT][3];
	uint32_t        first_name, nnames;
};

struct nidx {
	struct smap     tok;          /* canonical token -> tid */
	uint32_t       *tok_skel;     /* tid -> skeleton id */
	uint32_t       *tok_df;       /* names holding the token */
	struct u32vec  *tok_names;    /* tid -> names */
	uint32_t        tokcap;

	struct smap     skel;         /* skeleton -> sid */
	struct u32vec  *skel_toks;
	uint32_t        skelcap;

	struct u32vec  *tri;          /* TRI_N: trigram -> tids */

	struct smap     doc;          /* document number (A-Z0-9 only) -> did */
	struct u32vec  *doc_persons;
	uint32_t        doccap;

	struct smap     ids;          /* person id -> sid; id_cur[sid] is its live entry */
	uint32_t       *id_cur, idcap;
	struct nperson *persons;
	uint32_t        npersons, pcap;

	struct nname   *names;
	uint32_t        nnames, ncap;
	uint32_t       *ftok;         /* names' tokens, flat */
	uint8_t        *fside;
	size_t          nflat, flatcap;
	int64_t         last_rid;
};

struct nidx *
nidx_new(void)
{
	struct nidx *x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	if ((x->tri = calloc(TRI_N, sizeof(*x->tri))) == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

void
nidx_free(struct nidx *x)
{
	if (x == NULL)
		return;
	for (uint32_t i = 0; i < x->tok.n; i++)
		free(x->tok_names[i].v);
	for (uint32_t i = 0; i < x->skel.n; i++)
		free(x->skel_toks[i].v);
	for (uint32_t i = 0; i < x->doc.n; i++)
		free(x->doc_persons[i].v);
	for (uint32_t i = 0; i < TRI_N; i++)
		free(x->tri[i].v);
	free(x->tri);
	free(x->tok_skel);
	free(x->tok_df);
	free(x->tok_names);
	free(x->skel_toks);
	free(x->doc_persons);
	smap_free(&x->tok);
	smap_free(&x->skel);
	smap_free(&x->doc);
	smap_free(&x->ids);
	free(x->persons);
	free(x->id_cur);
	free(x->names);
	free(x->ftok);
	free(x->fside);
	free(x);
}

static int
grow(void **p, uint32_t *cap, uint32_t need, size_t elt)
{
	if (need <= *cap)
		return 0;
	uint32_t nc = *cap ? *cap : 1024;
	while (nc < need) nc *= 2;
	void *np = realloc(*p, (size_t)nc * elt);
	if (np == NULL)
		return -1;
	memset((char *)np + (size_t)*cap * elt, 0, (size_t)(nc - *cap) * elt);
	*p = np;
	*cap = nc;
	return 0;
}

static void
doc_key(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	for (; *in && o + 1 < outsz; in++) {
		char c = *in;
		if (c >= 'a' && c <= 'z') c = (char)(c - 32);
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[o++] = c;
	}
	out[o] = 0;
}

void
nidx_remove(struct nidx *x, const char *id)
{
	uint32_t p = smap_get(&x->ids, id);
	if (p != UINT32_MAX)
		x->persons[x->id_cur[p]].dead = true;
}

int
nidx_add_person(struct nidx *x, const struct nidx_person *in)
{
	struct nperson *p;
	bool isnew;
	uint32_t idx, old;

	/* an update: the old entry is retired, the id points at the new one */
	old = smap_get(&x->ids, in->id);
	if (grow((void **)&x->persons, &x->pcap, x->npersons + 1, sizeof(*x->persons)) == -1)
		return -1;
	idx = x->npersons;
	p = &x->persons[idx];
	memset(p, 0, sizeof(*p));
	str_copy(p->id, sizeof(p->id), in->id);
	p->rid = in->rid;
	p->first_name = x->nnames;
	for (int i = 0; i < in->ndob && i < NIDX_MAX_DOB; i++)
		p->dob[p->ndob++] = in->dob[i];
	for (int i = 0; i < in->nnat && i < NIDX_MAX_NAT; i++)
		memcpy(p->nat[p->nnat++], in->nat[i], 3);
	if (old == UINT32_MAX) {
		if ((old = smap_put(&x->ids, in->id, &isnew)) == UINT32_MAX ||
		    grow((void **)&x->id_cur, &x->idcap, x->ids.n, sizeof(uint32_t)) == -1)
			return -1;
	} else
		x->persons[x->id_cur[old]].dead = true;
	x->id_cur[old] = idx;
	x->npersons++;
	if (in->rid > x->last_rid)
		x->last_rid = in->rid;
	for (int i = 0; i < in->ndoc && i < NIDX_MAX_DOCS; i++) {
		char k[64];
		uint32_t d;
		doc_key(in->doc[i], k, sizeof(k));
		if (strlen(k) < 5)
			continue;
		if ((d = smap_put(&x->doc, k, &isnew)) == UINT32_MAX ||
		    grow((void **)&x->doc_persons, &x->doccap, x->doc.n, sizeof(*x->doc_persons)) == -1 ||
		    vpush(&x->doc_persons[d], idx) == -1)
			return -1;
	}
	return (int)idx;
}

int
nidx_add_name(struct nidx *x, int person, int name_no, bool weak, const struct name_norm *nn)
{
	struct nname *nm;
	bool isnew;

	if (grow((void **)&x->names, &x->ncap, x->nnames + 1, sizeof(*x->names)) == -1)
		return -1;
	if (x->nflat + (size_t)nn->ntok > x->flatcap) {
		size_t nc = x->flatcap ? x->flatcap * 2 : 4096;
		while (nc < x->nflat + (size_t)nn->ntok) nc *= 2;
		uint32_t *a = realloc(x->ftok, nc * sizeof(*a));
		if (a == NULL) return -1;
		x->ftok = a;
		uint8_t *b = realloc(x->fside, nc);
		if (b == NULL) return -1;
		x->fside = b;
		x->flatcap = nc;
	}
	nm = &x->names[x->nnames];
	nm->person = (uint32_t)person;
	nm->off = (uint32_t)x->nflat;
	nm->name_no = (uint16_t)name_no;
	nm->ntok = (uint8_t)nn->ntok;
	nm->flags = (uint8_t)((weak ? 1 : 0) | (nn->patronym ? 2 : 0));
	for (int i = 0; i < nn->ntok; i++) {
		uint32_t tid = smap_put(&x->tok, nn->t[i].s, &isnew), sid;
		if (tid == UINT32_MAX)
			return -1;
		if (isnew) {
			if (grow((void **)&x->tok_skel, &x->tokcap, x->tok.n, sizeof(uint32_t)) == -1)
				return -1;
			/* tok_df and tok_names share tokcap growth */
			uint32_t *df = realloc(x->tok_df, (size_t)x->tokcap * sizeof(*df));
			struct u32vec *tn = realloc(x->tok_names, (size_t)x->tokcap * sizeof(*tn));
			if (df) x->tok_df = df;
			if (tn) x->tok_names = tn;
			if (df == NULL || tn == NULL)
				return -1;
			x->tok_df[tid] = 0;
			memset(&x->tok_names[tid], 0, sizeof(x->tok_names[tid]));
			if ((sid = smap_put(&x->skel, nn->t[i].skel, &isnew)) == UINT32_MAX)
				return -1;
			if (grow((void **)&x->skel_toks, &x->skelcap, x->skel.n, sizeof(*x->skel_toks)) == -1 ||
			    vpush(&x->skel_toks[sid], tid) == -1)
				return -1;
			x->tok_skel[tid] = sid;
			uint32_t tg[NAME_TOK_LEN + 2];
			int nt = trigrams(nn->t[i].s, tg, NAME_TOK_LEN + 2);
			for (int k = 0; k < nt; k++) {
				bool dup = false;
				for (int l = 0; l < k; l++) if (tg[l] == tg[k]) dup = true;
				if (!dup && vpush(&x->tri[tg[k]], tid) == -1)
					return -1;
			}
		}
		/* df counts names; one posting per name and token */
		struct u32vec *pv = &x->tok_names[tid];
		if (pv->n == 0 || pv->v[pv->n - 1] != x->nnames) {
			if (vpush(pv, x->nnames) == -1)
				return -1;
			x->tok_df[tid]++;
		}
		x->ftok[x->nflat + (size_t)i] = tid;
		x->fside[x->nflat + (size_t)i] = nn->t[i].side;
	}
	x->nflat += (size_t)nn->ntok;
	x->persons[person].nnames++;
	x->nnames++;
	return 0;
}

size_t nidx_persons(const struct nidx *x) { size_t n = 0; for (uint32_t i = 0; i < x->npersons; i++) n += !x->persons[i].dead; return n; }
size_t nidx_names(const struct nidx *x) { return x->nnames; }
int64_t nidx_last_rid(const struct nidx *x) { return x->last_rid; }

size_t
nidx_memory(const struct nidx *x)
{
	size_t m = sizeof(*x) + (size_t)TRI_N * sizeof(struct u32vec);
	m += x->tok.acap + (size_t)x->tok.cap * 4 + (size_t)x->tok.offcap * 4;
	m += x->skel.acap + (size_t)x->skel.cap * 4 + (size_t)x->skel.offcap * 4;
	m += x->ids.acap + (size_t)x->ids.cap * 4 + (size_t)x->ids.offcap * 4;
	m += (size_t)x->tokcap * (4 + 4 + sizeof(struct u32vec)) + (size_t)x->skelcap * sizeof(struct u32vec);
	for (uint32_t i = 0; i < x->tok.n; i++) m += (size_t)x->tok_names[i].cap * 4;
	for (uint32_t i = 0; i < x->skel.n; i++) m += (size_t)x->skel_toks[i].cap * 4;
	for (uint32_t i = 0; i < TRI_N; i++) m += (size_t)x->tri[i].cap * 4;
	m += (size_t)x->pcap * sizeof(struct nperson) + (size_t)x->ncap * sizeof(struct nname);
	m += x->flatcap * 5;
	return m;
}

static double
idf(const struct nidx *x, uint32_t tid)
{
	double n = (double)x->nnames + 1;
	double df = tid == UINT32_MAX ? 0 : (double)x->tok_df[tid];
	double w = log((n + 1) / (df + 1)) + 1.0;
	return w < 0.5 ? 0.5 : w;
}

/* An initial says little about who it is: it weighs at most 1. */
static double
tok_weight(const struct nidx *x, uint32_t tid, const char *s)
{
	double w = idf(x, tid);
	return s[0] && s[1] == 0 && w > 1.0 ? 1.0 : w;
}

/* Per-thread scratch for searches: accumulators by name, counters by token. */
struct scratch {
	float    *acc;
	uint32_t *astamp, *touched;
	uint32_t  acap, ntouched, agen;
	uint16_t *tcount;
	uint32_t *tstamp, tcap, tgen;
};
static pthread_key_t  sc_key;
static pthread_once_t sc_once = PTHREAD_ONCE_INIT;
static void
sc_free(void *p)
{
	struct scratch *s = p;
	free(s->acc); free(s->astamp); free(s->touched); free(s->tcount); free(s->tstamp);
	free(s);
}
static void sc_init(void) { pthread_key_create(&sc_key, sc_free); }

static struct scratch *
scratch(const struct nidx *x)
{
	struct scratch *s;

	pthread_once(&sc_once, sc_init);
	if ((s = pthread_getspecific(sc_key)) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return NULL;
		pthread_setspecific(sc_key, s);
	}
	if (s->acap < x->nnames) {
		uint32_t nc = x->nnames + x->nnames / 4 + 1024;
		free(s->acc); free(s->astamp); free(s->touched);
		s->acc = malloc(nc * sizeof(float));
		s->astamp = calloc(nc, sizeof(uint32_t));
		s->touched = malloc(nc * sizeof(uint32_t));
		s->acap = nc;
		s->agen = 0;
		if (!s->acc || !s->astamp || !s->touched) { s->acap = 0; return NULL; }
	}
	if (s->tcap < x->tok.n) {
		uint32_t nc = x->tok.n + x->tok.n / 4 + 1024;
		free(s->tcount); free(s->tstamp);
		s->tcount = malloc(nc * sizeof(uint16_t));
		s->tstamp = calloc(nc, sizeof(uint32_t));
		s->tcap = nc;
		s->tgen = 0;
		if (!s->tcount || !s->tstamp) { s->tcap = 0; return NULL; }
	}
	if (++s->agen == 0) { memset(s->astamp, 0, s->acap * sizeof(uint32_t)); s->agen = 1; }
	s->ntouched = 0;
	return s;
}

#define DF_CAP        5000   /* tokens in more names than this do not block on their own */
#define FUZZY_MAX     24     /* similar vocabulary tokens followed per query token */
#define RESCORE       400    /* candidates fully scored */

static void
acc_add(struct scratch *s, uint32_t name, float v)
{
	if (s->astamp[name] != s->agen) {
		s->astamp[name] = s->agen;
		s->acc[name] = 0;
		s->touched[s->ntouched++] = name;
	}
	s->acc[name] += v;
}

static void
block_tid(const struct nidx *x, struct scratch *s, uint32_t tid, float v, bool capped)
{
	const struct u32vec *pv = &x->tok_names[tid];
	if (capped && pv->n > DF_CAP)
		return;
	for (uint32_t k = 0; k < pv->n; k++)
		acc_add(s, pv->v[k], v);
}

struct cand { uint32_t name; float acc; };


struct pscore {
	uint32_t person;
	uint32_t name;
	double   score, name_score;
	int      dob, nat;      /* -1 differs, 0 unknown, 1 year, 2 exact; nat -1/0/1 */
	bool     doc;
	struct align_out ao;
};

static int
dob_cmp(const struct nperson *p, const struct name_dob *q)
{
	int best = -1;
	if (p->ndob == 0 || q->y == 0)
		return 0;
	for (int i = 0; i < p->ndob; i++) {
		const struct name_dob *d = &p->dob[i];
		int v;
		if (d->y == 0) return 0;
		if (d->y == q->y) {
			if (d->m && q->m && d->m != q->m) v = 0;       /* same year, other month: weak */
			else if (d->d && q->d && d->d != q->d) v = 0;
			else if (d->m && q->m && d->d && q->d) v = 2;
			else v = 1;
		} else if (abs(d->y - q->y) <= 1)
			v = 0;
		else
			v = -1;
		if (v > best) best = v;
	}
	return best;
}

static int
nat_cmp(const struct nperson *p, const struct nidx_query *q)
{
	if (p->nnat == 0 || q->nnat == 0)
		return 0;
	for (int i = 0; i < p->nnat; i++)
		for (int j = 0; j < q->nnat; j++)
			if (memcmp(p->nat[i], q->nat[j], 2) == 0)
				return 1;
	return -1;
}

static void
score_name(const struct nidx *x, const struct nidx_query *q, const struct stok *qt, uint32_t name,
    struct pscore *ps)
{
	const struct nname *nm = &x->names[name];
	struct stok ct[NAME_MAX_TOKENS];
	int nc = nm->ntok > NAME_MAX_TOKENS ? NAME_MAX_TOKENS : nm->ntok;
	struct align_out ao;
	double s;

	for (int j = 0; j < nc; j++) {
		uint32_t tid = x->ftok[nm->off + (uint32_t)j];
		ct[j].s = smap_key(&x->tok, tid);
		ct[j].skel = smap_key(&x->skel, x->tok_skel[tid]);
		ct[j].side = x->fside[nm->off + (uint32_t)j];
		ct[j].w = tok_weight(x, tid, ct[j].s);
	}
	s = align(qt, q->nn.ntok, q->nn.patronym, ct, nc, (nm->flags & 2) != 0, is_abjad(q->nn.script), &ao);
	if (nm->flags & 1)
		s *= 0.9;   /* a weak alias is weaker evidence */
	if (s > ps->name_score || ps->name == UINT32_MAX) {
		ps->name_score = s;
		ps->name = name;
		ps->ao = ao;
	}
}

static void
finish_score(const struct nidx *x, const struct nidx_query *q, struct pscore *ps)
{
	const struct nperson *p = &x->persons[ps->person];
	double s = ps->name_score;

	ps->dob = q->has_dob ? dob_cmp(p, &q->dob) : 0;
	ps->nat = nat_cmp(p, q);
	if (ps->dob == 2) s += 0.10 * (1 - s) + 0.04;
	else if (ps->dob == 1) s += 0.05 * (1 - s) + 0.02;
	else if (ps->dob == -1) s -= 0.35;
	if (ps->nat == 1) s += 0.03;
	else if (ps->nat == -1) s -= 0.08;
	if (ps->doc) s = s > 0.5 ? 0.97 + 0.03 * s : 0.85 + s * 0.2;
	if (s < 0) s = 0;
	if (s > 1) s = 1;
	ps->score = s;
}

static json_t *
explain(const struct nidx *x, const struct nidx_query *q, const struct stok *qt, const struct pscore *ps)
{
	const struct nname *nm = &x->names[ps->name];
	json_t *ex = json_object(), *pairs = json_array(), *uq = json_array(), *uc = json_array();
	bool qused[NAME_MAX_TOKENS] = {0}, cused[NAME_MAX_TOKENS] = {0};
	static const char *const dobs[] = { "differs", "unknown", "same_year", "same_date" };

	for (int k = 0; k < ps->ao.npair; k++) {
		int i = ps->ao.qi[k], j = ps->ao.ci[k];
		uint32_t tid = x->ftok[nm->off + (uint32_t)j];
		char qs[2 * NAME_TOK_LEN + 2], cs[2 * NAME_TOK_LEN + 2];
		qused[i] = cused[j] = true;
		str_copy(qs, sizeof(qs), qt[i].s);
		str_copy(cs, sizeof(cs), smap_key(&x->tok, tid));
		if (ps->ao.two[k] == 1 && j + 1 < nm->ntok) {
			cused[j + 1] = true;
			str_copy(cs + strlen(cs), sizeof(cs) - strlen(cs), " ");
			str_copy(cs + strlen(cs), sizeof(cs) - strlen(cs), smap_key(&x->tok, x->ftok[nm->off + (uint32_t)j + 1]));
		} else if (ps->ao.two[k] == 2 && i + 1 < q->nn.ntok) {
			qused[i + 1] = true;
			str_copy(qs + strlen(qs), sizeof(qs) - strlen(qs), " ");
			str_copy(qs + strlen(qs), sizeof(qs) - strlen(qs), qt[i + 1].s);
		}
		json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:f, s:f}", "query", qs,
		    "matched", cs, "how", how_name[ps->ao.how[k]],
		    "similarity", round(ps->ao.sim[k] * 1000) / 1000, "weight", round(qt[i].w * 100) / 100));
	}
	for (int i = 0; i < q->nn.ntok; i++)
		if (!qused[i])
			json_array_append_new(uq, json_string(qt[i].s));
	for (int j = 0; j < nm->ntok && j < NAME_MAX_TOKENS; j++)
		if (!cused[j])
			json_array_append_new(uc, json_string(smap_key(&x->tok, x->ftok[nm->off + (uint32_t)j])));
	json_object_set_new(ex, "name_no", json_integer(nm->name_no));
	json_object_set_new(ex, "name_score", json_real(round(ps->name_score * 1000) / 1000));
	json_object_set_new(ex, "tokens", pairs);
	json_object_set_new(ex, "unmatched_query", uq);
	json_object_set_new(ex, "unmatched_record", uc);
	if (ps->ao.joined > 0)
		json_object_set_new(ex, "whole_name", json_pack("{s:s, s:f}", "how", "skeleton of the joined tokens",
		    "similarity", round(ps->ao.joined * 1000) / 1000));
	if (ps->ao.crossed)
		json_object_set_new(ex, "patronym", json_string("own and father's names swapped"));
	if (nm->flags & 1)
		json_object_set_new(ex, "alias", json_string("weak"));
	json_object_set_new(ex, "dob", json_string(dobs[ps->dob + 1]));
	json_object_set_new(ex, "nationality", json_string(ps->nat == 1 ? "same" : ps->nat == -1 ? "differs" : "unknown"));
	if (ps->doc)
		json_object_set_new(ex, "document", json_string("same number"));
	return ex;
}

static int
ps_cmp(const void *a, const void *b)
{
	const struct pscore *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->person < y->person ? -1 : x->person > y->person;
}

int
nidx_search(struct nidx *x, const struct nidx_query *q, double min_score, struct nidx_hit *hits, int want)
{
	struct scratch *s;
	struct stok qt[NAME_MAX_TOKENS];
	struct cand *cands = NULL;
	struct pscore *ps = NULL;
	uint32_t *pslot = NULL;   /* person -> index in ps + 1, via a small map */
	uint32_t ncand = 0, nps = 0, pcap = 0;
	int nhits = 0, rc = -1;
	bool all_capped = true;
	uint32_t rarest = UINT32_MAX;

	if (want <= 0)
		return 0;
	if ((s = scratch(x)) == NULL)
		return -1;
	for (int i = 0; i < q->nn.ntok; i++) {
		uint32_t tid = smap_get(&x->tok, q->nn.t[i].s);
		qt[i] = (struct stok){ q->nn.t[i].s, q->nn.t[i].skel, q->nn.t[i].side, tok_weight(x, tid, q->nn.t[i].s) };
		if (tid != UINT32_MAX && x->tok_df[tid] <= DF_CAP)
			all_capped = false;
		if (tid != UINT32_MAX && (rarest == UINT32_MAX || x->tok_df[tid] < x->tok_df[rarest]))
			rarest = tid;
	}
	/* blocking: exact tokens, same skeleton, similar spellings (trigrams) */
	for (int i = 0; i < q->nn.ntok; i++) {
		uint32_t tid = smap_get(&x->tok, qt[i].s), sid, tg[NAME_TOK_LEN + 2];
		int nt, nfuzzy = 0;
		float w = (float)qt[i].w;

		/* every token common (Muhammad Ali): block on the rarest one alone */
		if (tid != UINT32_MAX && (!all_capped || tid == rarest))
			block_tid(x, s, tid, w, !all_capped);
		if ((sid = smap_get(&x->skel, qt[i].skel)) != UINT32_MAX && strlen(qt[i].skel) >= 2) {
			const struct u32vec *sv = &x->skel_toks[sid];
			for (uint32_t k = 0; k < sv->n && k < FUZZY_MAX; k++)
				if (sv->v[k] != tid)
					block_tid(x, s, sv->v[k], w * 0.85f, true);
		}
		if (strlen(qt[i].s) < 4)
			continue;
		/* vocabulary tokens sharing enough trigrams */
		if (++s->tgen == 0) { memset(s->tstamp, 0, s->tcap * sizeof(uint32_t)); s->tgen = 1; }
		nt = trigrams(qt[i].s, tg, NAME_TOK_LEN + 2);
		uint32_t fz[256];
		int nfz = 0;
		for (int k = 0; k < nt; k++) {
			bool dup = false;
			for (int l = 0; l < k; l++) if (tg[l] == tg[k]) dup = true;
			if (dup) continue;
			const struct u32vec *tv = &x->tri[tg[k]];
			for (uint32_t m = 0; m < tv->n; m++) {
				uint32_t t2 = tv->v[m];
				if (s->tstamp[t2] != s->tgen) {
					s->tstamp[t2] = s->tgen;
					s->tcount[t2] = 0;
				}
				if (++s->tcount[t2] == (uint16_t)(nt / 2) && nfz < 256 && t2 != tid)
					fz[nfz++] = t2;
			}
		}
		for (int k = 0; k < nfz && nfuzzy < FUZZY_MAX; k++) {
			enum how h;
			const char *ts = smap_key(&x->tok, fz[k]);
			double sim = tok_sim(qt[i].s, qt[i].skel, ts, smap_key(&x->skel, x->tok_skel[fz[k]]), is_abjad(q->nn.script), &h);
			if (sim >= 0.7) {
				block_tid(x, s, fz[k], w * (float)sim, true);
				nfuzzy++;
			}
		}
	}
	/* persons with a document number of the query */
	uint32_t docp[64];
	int ndocp = 0;
	for (int i = 0; i < q->ndoc; i++) {
		char k[64];
		uint32_t d;
		doc_key(q->doc[i], k, sizeof(k));
		if (strlen(k) < 5 || (d = smap_get(&x->doc, k)) == UINT32_MAX)
			continue;
		for (uint32_t m = 0; m < x->doc_persons[d].n && ndocp < 64; m++)
			docp[ndocp++] = x->doc_persons[d].v[m];
	}
	ncand = s->ntouched;
	if ((cands = malloc(((size_t)ncand + 1) * sizeof(*cands))) == NULL)
		goto out;
	for (uint32_t k = 0; k < ncand; k++)
		cands[k] = (struct cand){ s->touched[k], s->acc[s->touched[k]] };
	if (ncand > RESCORE) {
		/* the RESCORE best by accumulated weight (quickselect; order within is irrelevant) */
		uint32_t lo = 0, hi = ncand - 1, k = RESCORE - 1;
		while (lo < hi) {
			float pv = cands[(lo + hi) / 2].acc;
			uint32_t i = lo, j = hi;
			while (i <= j) {
				while (cands[i].acc > pv) i++;
				while (cands[j].acc < pv) j--;
				if (i <= j) {
					struct cand t = cands[i];
					cands[i] = cands[j];
					cands[j] = t;
					i++;
					if (j == 0) break;
					j--;
				}
			}
			if (k <= j) hi = j;
			else if (k >= i) lo = i;
			else break;
		}
		ncand = RESCORE;
	}
	pcap = ncand + (uint32_t)ndocp * 8 + 1;
	if ((ps = calloc(pcap, sizeof(*ps))) == NULL || (pslot = calloc(pcap * 2, sizeof(*pslot))) == NULL)
		goto out;
	/* group by person (live entries only) */
#define PSLOT(p) (((p) * 2654435761u) & (pcap * 2 - 1))
	uint32_t psz = 1;
	while (psz < pcap * 2) psz <<= 1;
	free(pslot);
	if ((pslot = calloc(psz, sizeof(*pslot))) == NULL)
		goto out;
	for (uint32_t k = 0; k < ncand + (uint32_t)ndocp; k++) {
		uint32_t person, idx;
		bool bydoc = k >= ncand;
		if (!bydoc) person = x->names[cands[k].name].person;
		else person = docp[k - ncand];
		if (x->persons[person].dead)
			continue;
		uint32_t h = (person * 2654435761u) & (psz - 1);
		while (pslot[h] && ps[pslot[h] - 1].person != person) h = (h + 1) & (psz - 1);
		if (pslot[h] == 0) {
			if (nps >= pcap) continue;
			idx = nps++;
			ps[idx].person = person;
			ps[idx].name = UINT32_MAX;
			pslot[h] = idx + 1;
		} else
			idx = pslot[h] - 1;
		if (bydoc) {
			ps[idx].doc = true;
			const struct nperson *pp = &x->persons[person];
			for (uint32_t nmi = pp->first_name; nmi < pp->first_name + pp->nnames; nmi++)
				score_name(x, q, qt, nmi, &ps[idx]);
		} else
			score_name(x, q, qt, cands[k].name, &ps[idx]);
	}
	for (uint32_t k = 0; k < nps; k++)
		finish_score(x, q, &ps[k]);
	qsort(ps, nps, sizeof(*ps), ps_cmp);
	for (uint32_t k = 0; k < nps && nhits < want; k++) {
		if (ps[k].score < min_score || ps[k].name == UINT32_MAX)
			break;
		struct nidx_hit *h = &hits[nhits];
		str_copy(h->id, sizeof(h->id), x->persons[ps[k].person].id);
		h->rid = x->persons[ps[k].person].rid;
		h->score = round(ps[k].score * 10000) / 10000;
		h->name_no = x->names[ps[k].name].name_no;
		h->explain = explain(x, q, qt, &ps[k]);
		nhits++;
	}
	rc = nhits;
out:
	free(cands);
	free(ps);
	free(pslot);
	return rc;
}

void
nidx_hits_free(struct nidx_hit *hits, int n)
{
	for (int i = 0; i < n; i++) {
		json_decref(hits[i].explain);
		hits[i].explain = NULL;
	}
}
