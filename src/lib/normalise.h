/* normalise.h - selector normalisation (DESIGN.md §2 "Selectors and
 * normalisation"). Turns what a victim or analyst typed into the canonical
 * key `type:value` that matching runs on. A value that fails validation is
 * kept (valid = false, with a flag saying why), never dropped.
 *
 * Thread-safe after normalise_init(); no allocation escapes a call. */
#ifndef SIMPUL_NORMALISE_H
#define SIMPUL_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>

#include "simpul_limits.h"
#include "util.h"

enum sel_type {
	SEL_PHONE, SEL_BANK_ACCOUNT, SEL_IBAN, SEL_EWALLET, SEL_CRYPTO, SEL_URL,
	SEL_DOMAIN, SEL_EMAIL, SEL_IP, SEL_HANDLE, SEL_IMEI, SEL_NATIONAL_ID,
	SEL_PASSPORT, SEL__N
};
const char *sel_type_name(enum sel_type t);
int         sel_type_parse(const char *s, size_t n); /* -1 if unknown */

/* What a caller gives. Only `type` and `value` are required; the others are
 * optional companions (NULL when absent). Strings are NUL-terminated. */
struct norm_in {
	const char *type;      /* "phone", "bank_account", ... */
	const char *value;
	const char *country;   /* ISO 3166-1 alpha-2: default region for phones,
	                          country of a bank account, issuing country */
	const char *bank;      /* bank_account: bank code or BIC (BIC -> BIC8) */
	const char *provider;  /* ewallet: grabpay, gcash, truemoney, tng, ... */
	const char *chain;     /* crypto: btc, eth, trx, ... (inferred if NULL) */
	const char *platform;  /* handle: telegram, line, wechat, ... */
};

struct norm_out {
	char type[16];                     /* the selector type, e.g. "phone" */
	char key[SIMPUL_MAX_KEY_LEN + 1];  /* canonical "type:value"; an invalid
	                                      phone is "phone_raw:DIGITS" */
	bool valid;
	char flag[64];                     /* why invalid ("bad checksum", ...) */
	int  nderived;
	char derived[SIMPUL_MAX_DERIVED][SIMPUL_MAX_KEY_LEN + 1]; /* e.g. "domain:example.com.my" */
};

/* Loads the public suffix list etc. Call once before threads start. 0 on success. */
int  normalise_init(void);
void normalise_shutdown(void);

/* Normalise one value. Returns 0 with out filled (valid or not), or -1 when
 * the input cannot be kept at all (unknown type, empty value, over-long value,
 * invalid UTF-8), with e naming the field: "type", "value", "country", ... */
int normalise(const struct norm_in *in, struct norm_out *out, struct err *e);

/* Validate a canonical key as given by a caller ({"key": "phone:+6012..."}):
 * a known type prefix and a value in that type's canonical alphabet. Cheap:
 * no library calls. Returns 0 or -1 with e naming "key". */
int normalise_key_check(const char *key, size_t n, struct err *e);

/* Phone shim over Google libphonenumber (phone.cc). Writes E.164 into out and
 * returns 1 when the number is valid for its region, 0 when it parses but is
 * invalid or cannot be placed, -1 when it cannot be parsed at all. region may
 * be NULL (then only +international numbers parse). */
int phone_e164(const char *value, const char *region, char *out, size_t outsz);
/* Builds libphonenumber's metadata singleton; normalise_init() calls it. */
int phone_init(void);

/* Keccak-256 (the pre-SHA-3 padding Ethereum uses), for EIP-55. */
void keccak256(const void *in, size_t n, unsigned char out[32]);

#endif
