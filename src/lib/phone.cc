/* phone.cc - the one C++ file: an extern "C" shim over Google libphonenumber
 * (Debian libphonenumber-dev). PhoneNumberUtil is a process-wide singleton
 * whose parse and format calls are thread-safe once it exists, so
 * normalise_init() creates it through phone_init() before threads start. */
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "normalise.h"
}

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

extern "C" int
phone_init(void)
{
	/* The first call builds the metadata; later calls return it. */
	return PhoneNumberUtil::GetInstance() != nullptr ? 0 : -1;
}

/* Fast path. Parse() costs 6-11 us (dozens of ICU regular expressions);
 * IsValidNumber() on a number built by hand costs 1-2 us. For the plain
 * shapes reports mostly carry - "+CC digits" or a national number with a
 * single leading "0" - in countries whose national prefix for parsing is
 * just "0" or nothing, the result is built here and accepted only when
 * IsValidNumber() says valid; Parse() would reach the same number then (it
 * strips a prefix or a country code only when the whole is not valid).
 * Everything else, and every invalid number, goes through Parse(). */
struct fast_region {
	const char *region;
	int cc;
	bool ndd0;              /* national prefix "0" */
};

static const fast_region fast_regions[] = {
	{ "MY", 60, true }, { "SG", 65, false }, { "TH", 66, true }, { "ID", 62, true },
	{ "PH", 63, true }, { "VN", 84, true }, { "KH", 855, true }, { "LA", 856, true },
	{ "MM", 95, true }, { "BN", 673, false }, { "TL", 670, false }, { "GB", 44, true },
};

static const fast_region *
fast_by_cc(int cc)
{
	for (const fast_region &f : fast_regions)
		if (f.cc == cc)
			return &f;
	return nullptr;
}

static int
phone_fast(const PhoneNumberUtil *u, const char *value, const char *region, char *out,
    size_t outsz)
{
	char d[24];
	size_t nd = 0, skip = 0;
	bool plus = false;
	const fast_region *f = nullptr;
	unsigned long long nn = 0;
	PhoneNumber num;

	for (const char *p = value; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (nd >= 17)
				return -2;
			d[nd++] = *p;
		} else if (*p == '+' && nd == 0 && !plus)
			plus = true;
		else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')')
			return -2;
	}
	d[nd] = '\0';
	if (nd < 6)
		return -2;
	if (plus) {
		for (size_t k = 1; k <= 3 && f == nullptr; k++) {
			int cc = 0;
			for (size_t i = 0; i < k; i++)
				cc = cc * 10 + (d[i] - '0');
			if ((f = fast_by_cc(cc)) != nullptr)
				skip = k;
		}
	} else if (region != nullptr) {
		for (const fast_region &r : fast_regions)
			if (strcmp(r.region, region) == 0)
				f = &r;
		if (f != nullptr && d[0] == '0')
			skip = f->ndd0 ? 1 : nd;
	}
	if (f == nullptr || skip >= nd || d[skip] == '0' || nd - skip < 5)
		return -2;
	for (size_t i = skip; i < nd; i++)
		nn = nn * 10 + (unsigned long long)(d[i] - '0');
	num.set_country_code(f->cc);
	num.set_national_number(nn);
	if (!u->IsValidNumber(num))
		return -2;
	if ((size_t)snprintf(out, outsz, "+%d%s", f->cc, d + skip) >= outsz)
		return -2;
	return 1;
}

extern "C" int
phone_e164(const char *value, const char *region, char *out, size_t outsz)
{
	const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
	PhoneNumber num;
	std::string e164;
	int rc = -1;

	if (outsz > 0)
		out[0] = '\0';
	/* libphonenumber throws nothing, but std::string may; never let an
	 * exception cross into C. */
	try {
		if ((rc = phone_fast(u, value, region, out, outsz)) == 1)
			goto out;
		rc = -1;
		std::string reg = region != nullptr ? region : "ZZ";
		if (u->Parse(value, reg, &num) != PhoneNumberUtil::NO_PARSING_ERROR)
			goto out;
		u->Format(num, PhoneNumberUtil::E164, &e164);
		if (e164.size() + 1 > outsz)
			goto out;
		memcpy(out, e164.c_str(), e164.size() + 1);
		rc = u->IsValidNumber(num) ? 1 : 0;
	} catch (...) {
		rc = -1;
	}
out:
	return rc;
}
