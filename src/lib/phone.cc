/* phone.cc - the one C++ file: an extern "C" shim over Google libphonenumber
 * (Debian libphonenumber-dev). PhoneNumberUtil is a process-wide singleton
 * whose parse and format calls are thread-safe once it exists, so
 * normalise_init() creates it through phone_init() before threads start. */
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

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
