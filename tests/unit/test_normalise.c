/* test_normalise.c - selector normalisation (src/lib/normalise.c): real
 * values per type, valid and invalid, the examples from DESIGN §2 and issue
 * 2, and published test vectors (BIP-173/350, EIP-55, IBAN registry). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "normalise.h"

/* One case: `with` is the companion of the type (bank, provider, chain,
 * platform). valid: 1 valid, 0 kept but flagged, -1 refused. */
struct tc {
	const char *type, *value, *country, *with;
	int valid;
	const char *key;
	const char *derived;   /* first derived key, or NULL for none */
};

static const struct tc cases[] = {
	/* phone */
	{ "phone", "+60 12-345 6789", NULL, NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "012-345 6789", "MY", NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "012-345 6789", "my", NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "  +60123456789\n", NULL, NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "tel:+60-12-345-6789", NULL, NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "0060 12 345 6789", "MY", NULL, 1, "phone:+60123456789", NULL },
	{ "phone", "081 234 5678", "TH", NULL, 1, "phone:+66812345678", NULL },
	{ "phone", "9123 4567", "SG", NULL, 1, "phone:+6591234567", NULL },
	{ "phone", "+65 9123 4567", "TH", NULL, 1, "phone:+6591234567", NULL },
	{ "phone", "+44 20 7946 0958", NULL, NULL, 1, "phone:+442079460958", NULL },
	{ "phone", "+1 (650) 253-0000", NULL, NULL, 1, "phone:+16502530000", NULL },
	{ "phone", "0917 123 4567", "PH", NULL, 1, "phone:+639171234567", NULL },
	{ "phone", "0912 345 678", "VN", NULL, 1, "phone:+84912345678", NULL },
	{ "phone", "0123456789", NULL, NULL, 0, "phone_raw:0123456789", NULL },
	{ "phone", "12", "MY", NULL, 0, "phone_raw:12", NULL },
	{ "phone", "+999 123", NULL, NULL, 0, "phone_raw:999123", NULL },
	{ "phone", "+60 1", NULL, NULL, 0, "phone_raw:601", NULL },
	{ "phone", "call me", "MY", NULL, -1, NULL, NULL },
	{ "phone", "   ", "MY", NULL, -1, NULL, NULL },
	{ "phone", "+60123456789", "MYS", NULL, -1, NULL, NULL },

	/* url */
	{ "url", "http://x.com", NULL, NULL, 1, "url:http://x.com/", "domain:x.com" },
	{ "url", "HTTPS://Example.COM:443/a/../b?q=1#frag", NULL, NULL, 1,
	  "url:https://example.com/b?q=1", "domain:example.com" },
	{ "url", "http://foo.github.io/x", NULL, NULL, 1, "url:http://foo.github.io/x",
	  "domain:foo.github.io" },
	{ "url", "https://a.b.example.com.my", NULL, NULL, 1, "url:https://a.b.example.com.my/",
	  "domain:example.com.my" },
	{ "url", "https://www.maybank2u.com.my.secure-login.xyz/login", NULL, NULL, 1,
	  "url:https://www.maybank2u.com.my.secure-login.xyz/login", "domain:secure-login.xyz" },
	{ "url", "http://Bücher.de/", NULL, NULL, 1, "url:http://xn--bcher-kva.de/",
	  "domain:xn--bcher-kva.de" },
	{ "url", "example.com/path", NULL, NULL, 1, "url:http://example.com/path", "domain:example.com" },
	{ "url", "hxxps://evil[.]com/x", NULL, NULL, 1, "url:https://evil.com/x", "domain:evil.com" },
	/* IDNA maps a soft hyphen to nothing: the host is empty, flagged (fuzz_url) */
	{ "url", "\xc2\xad", NULL, NULL, 0, "url:http:///", NULL },
	{ "domain", "a.\xc2\xad.com", NULL, NULL, 0, "domain:a..com", NULL },
	{ "url", "http://192.168.0.1:8080/a", NULL, NULL, 1, "url:http://192.168.0.1:8080/a",
	  "ip:192.168.0.1" },
	{ "url", "http://[2001:DB8::1]/", NULL, NULL, 1, "url:http://[2001:db8::1]/", "ip:2001:db8::1" },
	{ "url", "http://x.com/a b", NULL, NULL, 1, "url:http://x.com/a%20b", "domain:x.com" },
	{ "url", "http://x.com:0080/", NULL, NULL, 1, "url:http://x.com/", "domain:x.com" },
	{ "url", "http://x.com:8443", NULL, NULL, 1, "url:http://x.com:8443/", "domain:x.com" },
	{ "url", "https://user:pw@x.com/", NULL, NULL, 1, "url:https://user:pw@x.com/", "domain:x.com" },
	{ "url", "http:\\\\x.com\\a\\.\\b", NULL, NULL, 1, "url:http://x.com/a/b", "domain:x.com" },
	/* WHATWG IPv4 spellings (tests/diff/FINDINGS.md B1) */
	{ "url", "http://3232235777/login", NULL, NULL, 1, "url:http://192.168.1.1/login", "ip:192.168.1.1" },
	{ "url", "http://0x7f.0.0.1/", NULL, NULL, 1, "url:http://127.0.0.1/", "ip:127.0.0.1" },
	{ "url", "http://0177.0.0.1/", NULL, NULL, 1, "url:http://127.0.0.1/", "ip:127.0.0.1" },
	{ "url", "http://192.168.1/", NULL, NULL, 1, "url:http://192.168.0.1/", "ip:192.168.0.1" },
	{ "url", "0142.10.59.199/", NULL, NULL, 1, "url:http://98.10.59.199/", "ip:98.10.59.199" },
	{ "url", "http://256.1.1.1/", NULL, NULL, 0, "url:http://256.1.1.1/", NULL },
	{ "url", "http://1.2.3.4.5/", NULL, NULL, 0, "url:http://1.2.3.4.5/", NULL },
	{ "url", "http://09.1.1.1/", NULL, NULL, 0, "url:http://09.1.1.1/", NULL },
	{ "url", "http://x.com:99999/", NULL, NULL, 0, "url:http://x.com:99999/", NULL },
	{ "url", "mailto:someone@x.com", NULL, NULL, 0, "url:mailto:someone@x.com", NULL },
	{ "url", "http://", NULL, NULL, 0, "url:http:///", NULL },

	/* domain */
	{ "domain", "WWW.Example.COM.", NULL, NULL, 1, "domain:www.example.com", "domain:example.com" },
	{ "domain", "example.com", NULL, NULL, 1, "domain:example.com", NULL },
	{ "domain", "foo.github.io", NULL, NULL, 1, "domain:foo.github.io", NULL },
	{ "domain", "a.foo.github.io", NULL, NULL, 1, "domain:a.foo.github.io", "domain:foo.github.io" },
	{ "domain", "bücher.de", NULL, NULL, 1, "domain:xn--bcher-kva.de", NULL },
	{ "domain", "faß.de", NULL, NULL, 1, "domain:xn--fa-hia.de", NULL },
	{ "domain", "www.食狮.中国", NULL, NULL, 1, "domain:www.xn--85x722f.xn--fiqs8s",
	  "domain:xn--85x722f.xn--fiqs8s" },
	{ "domain", "ตัวอย่าง.ไทย", NULL, NULL, 1, "domain:xn--72c1a1bt4awk9o.xn--o3cw4h", NULL },
	{ "domain", "https://sub.evil.co.th/path", NULL, NULL, 1, "domain:sub.evil.co.th",
	  "domain:evil.co.th" },
	{ "domain", "paypal-refund.net/login", NULL, NULL, 1, "domain:paypal-refund.net", NULL },
	{ "domain", "x.com:8080", NULL, NULL, 1, "domain:x.com", NULL },
	{ "domain", "e.ไทยพาณิชย์.com.hk/verify?id=1", NULL, NULL, 1, "domain:e.xn--b3crl2atd3ira2lqd.com.hk",
	  "domain:xn--b3crl2atd3ira2lqd.com.hk" },
	{ "domain", "-a.com", NULL, NULL, 0, "domain:-a.com", NULL },
	{ "domain", "a-.com", NULL, NULL, 0, "domain:a-.com", NULL },
	{ "domain", "r3---sn-abc.googlevideo.com", NULL, NULL, 1, "domain:r3---sn-abc.googlevideo.com",
	  "domain:googlevideo.com" },
	{ "domain", "localhost", NULL, NULL, 0, "domain:localhost", NULL },
	{ "domain", "bad..com", NULL, NULL, 0, "domain:bad..com", NULL },
	{ "domain", "1.2.3.4", NULL, NULL, 0, "domain:1.2.3.4", NULL },
	{ "domain", "xn--zz.com", NULL, NULL, 0, "domain:xn--zz.com", NULL },

	/* email */
	{ "email", "John.Doe+scam@GMail.com", NULL, NULL, 1, "email:johndoe@gmail.com", NULL },
	{ "email", "x.y@googlemail.com", NULL, NULL, 1, "email:xy@gmail.com", NULL },
	{ "email", "User.Name+tag@Example.COM", NULL, NULL, 1, "email:User.Name+tag@example.com", NULL },
	{ "email", "mailto:a@bücher.de", NULL, NULL, 1, "email:a@xn--bcher-kva.de", NULL },
	{ "email", "no-at-sign", NULL, NULL, 0, "email:no-at-sign", NULL },
	{ "email", "@example.com", NULL, NULL, 0, "email:@example.com", NULL },
	{ "email", "a@localhost", NULL, NULL, 0, "email:a@localhost", NULL },

	/* ip */
	{ "ip", "2001:0DB8:0000::0001", NULL, NULL, 1, "ip:2001:db8::1", NULL },
	{ "ip", "192.168.1.1", NULL, NULL, 1, "ip:192.168.1.1", NULL },
	{ "ip", "8.8.8[.]8", NULL, NULL, 1, "ip:8.8.8.8", NULL },
	{ "ip", "10.0.0.0/8", NULL, NULL, 1, "ip:10.0.0.0/8", NULL },
	{ "ip", "1.2.3.4/32", NULL, NULL, 1, "ip:1.2.3.4", NULL },
	{ "ip", "2001:db8::/32", NULL, NULL, 1, "ip:2001:db8::/32", NULL },
	{ "ip", "[::ffff:1.2.3.4]", NULL, NULL, 1, "ip:::ffff:1.2.3.4", NULL },
	{ "ip", "10.0.0.1/8", NULL, NULL, 0, "ip:10.0.0.1/8", NULL },
	{ "ip", "1.2.3.4/33", NULL, NULL, 0, "ip:1.2.3.4/33", NULL },
	{ "ip", "192.168.001.1", NULL, NULL, 0, "ip:192.168.001.1", NULL },
	{ "ip", "999.1.1.1", NULL, NULL, 0, "ip:999.1.1.1", NULL },

	/* iban */
	{ "iban", "GB82 WEST 1234 5698 7654 32", NULL, NULL, 1, "iban:GB82WEST12345698765432", NULL },
	{ "iban", "gb82west12345698765432", NULL, NULL, 1, "iban:GB82WEST12345698765432", NULL },
	{ "iban", "IBAN DE89 3704 0044 0532 0130 00", NULL, NULL, 1, "iban:DE89370400440532013000", NULL },
	{ "iban", "FR14 2004 1010 0505 0001 3M02 606", NULL, NULL, 1, "iban:FR1420041010050500013M02606", NULL },
	{ "iban", "TL38 0080 0123 4567 8910 157", NULL, NULL, 1, "iban:TL380080012345678910157", NULL },
	{ "iban", "NO93 8601 1117 947", NULL, NULL, 1, "iban:NO9386011117947", NULL },
	{ "iban", "GB82WEST12345698765433", NULL, NULL, 0, "iban:GB82WEST12345698765433", NULL },
	{ "iban", "GB82WEST1234569876543", NULL, NULL, 0, "iban:GB82WEST1234569876543", NULL },
	{ "iban", "MY82WEST12345698765432", NULL, NULL, 0, "iban:MY82WEST12345698765432", NULL },
	{ "iban", "--", NULL, NULL, -1, NULL, NULL },

	/* bank_account */
	{ "bank_account", "5123 4567 8901", "MY", "MBBEMYKL", 1, "bank_account:MY:MBBEMYKL:512345678901", NULL },
	{ "bank_account", "5123-4567-8901", "MY", "mbbemyklxxx", 1, "bank_account:MY:MBBEMYKL:512345678901", NULL },
	{ "bank_account", "5123 4567 8901", NULL, "MBBEMYKL", 1, "bank_account:MY:MBBEMYKL:512345678901", NULL },
	{ "bank_account", "123-4-56789-0", "TH", "014", 1, "bank_account:TH:014:1234567890", NULL },
	{ "bank_account", "5123 4567 8901", "TH", "MBBEMYKL", 0, "bank_account:TH:MBBEMYKL:512345678901", NULL },
	{ "bank_account", "5123 4567 8901", "MY", NULL, 0, "bank_account:MY::512345678901", NULL },
	{ "bank_account", "5123 4567 8901", NULL, NULL, 0, "bank_account:::512345678901", NULL },
	{ "bank_account", "12-34", "MY", "MBBEMYKL", 0, "bank_account:MY:MBBEMYKL:1234", NULL },

	/* ewallet */
	{ "ewallet", "0917 123 4567", "PH", "GCash", 1, "ewallet:gcash:+639171234567", NULL },
	{ "ewallet", "012-345 6789", "MY", "Touch 'n Go", 1, "ewallet:tng:+60123456789", NULL },
	{ "ewallet", "081-234-5678", "TH", "TrueMoney Wallet", 1, "ewallet:truemoney:+66812345678", NULL },
	{ "ewallet", "Scammer@Example.com", NULL, "PayPal", 1, "ewallet:paypal:scammer@example.com", NULL },
	{ "ewallet", "0917 123 4567", NULL, "gcash", 0, "ewallet:gcash:09171234567", NULL },
	{ "ewallet", "abc123", NULL, NULL, 0, "ewallet:unknown:abc123", NULL },

	/* crypto: Bitcoin wiki, BIP-173, BIP-350, EIP-55 */
	{ "crypto", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", NULL, NULL, 1,
	  "crypto:btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", NULL },
	{ "crypto", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", NULL, "bitcoin", 1,
	  "crypto:btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", NULL },
	{ "crypto", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", NULL, NULL, 0,
	  "crypto:unknown:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", NULL },
	{ "crypto", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", NULL, NULL, 1,
	  "crypto:btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", NULL },
	{ "crypto", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", NULL, NULL, 1,
	  "crypto:btc:bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", NULL },
	{ "crypto", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", NULL, NULL, 1,
	  "crypto:btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", NULL },
	/* BIP-350: bech32 (not bech32m) checksum on a v1 program. */
	{ "crypto", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", NULL, NULL, 0,
	  "crypto:btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", NULL },
	{ "crypto", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", NULL, NULL, 0,
	  "crypto:btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", NULL },
	{ "crypto", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", NULL, NULL, 0,
	  "crypto:btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", NULL },
	{ "crypto", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", NULL, NULL, 0,
	  "crypto:btc:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", NULL },
	{ "crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", NULL, NULL, 1,
	  "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", NULL },
	{ "crypto", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", NULL, NULL, 1,
	  "crypto:eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", NULL },
	{ "crypto", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", NULL, "bsc", 1,
	  "crypto:eth:0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", NULL },
	{ "crypto", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", NULL, "polygon", 1,
	  "crypto:eth:0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb", NULL },
	{ "crypto", "0x52908400098527886E0F7030069857D2E4169EE7", NULL, NULL, 1,
	  "crypto:eth:0x52908400098527886e0f7030069857d2e4169ee7", NULL },
	{ "crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", NULL, NULL, 0,
	  "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", NULL },
	{ "crypto", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", NULL, "btc", 0,
	  "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", NULL },
	{ "crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NULL, NULL, 1,
	  "crypto:trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NULL },
	{ "crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NULL, "USDT-TRC20", 1,
	  "crypto:trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NULL },
	{ "crypto", "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=1", NULL, NULL, 1,
	  "crypto:btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", NULL },
	{ "crypto", "hello world", NULL, NULL, 0, "crypto:unknown:helloworld", NULL },

	/* handle */
	{ "handle", "@ScamBoss", NULL, "telegram", 1, "handle:telegram:scamboss", NULL },
	{ "handle", "https://t.me/ScamBoss", NULL, NULL, 1, "handle:telegram:scamboss", NULL },
	{ "handle", "@abc", NULL, "Telegram", 0, "handle:telegram:abc", NULL },
	{ "handle", "@Elon_Musk", NULL, "Twitter", 1, "handle:x:elon_musk", NULL },
	{ "handle", "https://www.instagram.com/some.user/", NULL, NULL, 1, "handle:instagram:some.user", NULL },
	{ "handle", "https://www.tiktok.com/@User.Name", NULL, NULL, 1, "handle:tiktok:user.name", NULL },
	{ "handle", "wxid_Abc123", NULL, "wechat", 1, "handle:wechat:wxid_Abc123", NULL },
	{ "handle", "012-345 6789", "MY", "WhatsApp", 1, "handle:whatsapp:+60123456789", NULL },
	{ "handle", "~scam.line", NULL, "line", 1, "handle:line:scam.line", NULL },
	{ "handle", "SomeOne", NULL, NULL, 0, "handle:unknown:SomeOne", NULL },
	{ "handle", "@", NULL, "telegram", -1, NULL, NULL },

	/* imei */
	{ "imei", "49-015420-323751-8", NULL, NULL, 1, "imei:490154203237518", NULL },
	{ "imei", "49015420323751", NULL, NULL, 1, "imei:490154203237518", NULL },
	{ "imei", "4901542032375112", NULL, NULL, 1, "imei:490154203237518", NULL },
	{ "imei", "490154203237517", NULL, NULL, 0, "imei:490154203237517", NULL },
	{ "imei", "1234", NULL, NULL, 0, "imei:1234", NULL },

	/* national_id */
	{ "national_id", "900101-14-5678", "MY", NULL, 1, "national_id:MY:MYKAD:900101145678", NULL },
	{ "national_id", "901301-14-5678", "MY", NULL, 0, "national_id:MY:MYKAD:901301145678", NULL },
	{ "national_id", "1-1017-00203-45-0", "TH", NULL, 1, "national_id:TH:ID:1101700203450", NULL },
	{ "national_id", "3101500123459", "TH", NULL, 1, "national_id:TH:ID:3101500123459", NULL },
	{ "national_id", "3101500123458", "TH", NULL, 0, "national_id:TH:ID:3101500123458", NULL },
	{ "national_id", "s1234567d", "SG", NULL, 1, "national_id:SG:NRIC:S1234567D", NULL },
	{ "national_id", "T1234567J", "SG", NULL, 1, "national_id:SG:NRIC:T1234567J", NULL },
	{ "national_id", "F1234567N", "SG", NULL, 1, "national_id:SG:FIN:F1234567N", NULL },
	{ "national_id", "G1234567X", "SG", NULL, 1, "national_id:SG:FIN:G1234567X", NULL },
	{ "national_id", "S1234567A", "SG", NULL, 0, "national_id:SG:NRIC:S1234567A", NULL },
	{ "national_id", "AB123", NULL, NULL, 0, "national_id:XX:ID:AB123", NULL },

	/* passport: ICAO 9303 specimen L898902C3, check digit 6 */
	{ "passport", "L898902C36", "UT", NULL, 1, "passport:UT:P:L898902C3", NULL },
	{ "passport", "a1234567", "MY", NULL, 1, "passport:MY:P:A1234567", NULL },
	{ "passport", "A1234567<1", "MY", NULL, 0, "passport:MY:P:A1234567", NULL },
	{ "passport", "A1234567", NULL, NULL, 0, "passport:XX:P:A1234567", NULL },

	/* refused */
	{ "car", "ABC 123", NULL, NULL, -1, NULL, NULL },
	{ "url", "", NULL, NULL, -1, NULL, NULL },
	{ "url", "http://x.com/\xff", NULL, NULL, -1, NULL, NULL },
};

static void
run_case(const struct tc *c)
{
	struct norm_in in = {0};
	struct norm_out out;
	struct err e = {0};
	int rc;

	in.type = c->type;
	in.value = c->value;
	in.country = c->country;
	if (strcmp(c->type, "bank_account") == 0)
		in.bank = c->with;
	else if (strcmp(c->type, "ewallet") == 0)
		in.provider = c->with;
	else if (strcmp(c->type, "crypto") == 0)
		in.chain = c->with;
	else if (strcmp(c->type, "handle") == 0)
		in.platform = c->with;
	rc = normalise(&in, &out, &e);
	if (c->valid == -1) {
		if (rc != -1)
			fail_msg("%s %s: expected refusal, got %s", c->type, c->value, out.key);
		assert_true(e.field[0] != '\0');
		return;
	}
	if (rc != 0)
		fail_msg("%s '%s': refused (%s: %s)", c->type, c->value, e.field, e.msg);
	if (strcmp(out.key, c->key) != 0)
		fail_msg("%s '%s': key %s, want %s", c->type, c->value, out.key, c->key);
	if (out.valid != (c->valid == 1))
		fail_msg("%s '%s': valid=%d (flag %s), want %d", c->type, c->value, out.valid,
		    out.flag, c->valid);
	if (!out.valid && out.flag[0] == '\0')
		fail_msg("%s '%s': invalid without a flag", c->type, c->value);
	if (c->derived == NULL && out.nderived != 0)
		fail_msg("%s '%s': unexpected derived %s", c->type, c->value, out.derived[0]);
	if (c->derived != NULL && (out.nderived < 1 || strcmp(out.derived[0], c->derived) != 0))
		fail_msg("%s '%s': derived %s, want %s", c->type, c->value,
		    out.nderived ? out.derived[0] : "(none)", c->derived);
	assert_string_equal(out.type, c->type);
	/* Every key normalise() produces passes the cheap key check. */
	if (normalise_key_check(out.key, strlen(out.key), &e) != 0)
		fail_msg("%s '%s': own key %s fails key check: %s", c->type, c->value, out.key, e.msg);
	for (int i = 0; i < out.nderived; i++)
		assert_int_equal(normalise_key_check(out.derived[i], strlen(out.derived[i]), &e), 0);
}

/* One cmocka test per type so a failure names the type. */
#define TYPE_TEST(name)                                                  \
	static void test_##name(void **state)                            \
	{                                                                \
		int n = 0;                                               \
		(void)state;                                             \
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) \
			if (strcmp(cases[i].type, #name) == 0) {         \
				run_case(&cases[i]);                     \
				n++;                                     \
			}                                                \
		assert_true(n > 0);                                      \
	}
TYPE_TEST(phone)
TYPE_TEST(url)
TYPE_TEST(domain)
TYPE_TEST(email)
TYPE_TEST(ip)
TYPE_TEST(iban)
TYPE_TEST(bank_account)
TYPE_TEST(ewallet)
TYPE_TEST(crypto)
TYPE_TEST(handle)
TYPE_TEST(imei)
TYPE_TEST(national_id)
TYPE_TEST(passport)

static void
test_refused(void **state)
{
	char big[SIMPUL_MAX_VALUE_LEN + 2];
	struct norm_in in = {0};
	struct norm_out out;
	struct err e = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].valid == -1)
			run_case(&cases[i]);
	in.type = "phone";
	in.value = NULL;
	assert_int_equal(normalise(&in, &out, &e), -1);
	assert_string_equal(e.field, "value");
	in.type = "nope";
	in.value = "x";
	assert_int_equal(normalise(&in, &out, &e), -1);
	assert_string_equal(e.field, "type");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	in.type = "phone";
	in.value = big;
	assert_int_equal(normalise(&in, &out, &e), -1);
	assert_string_equal(e.field, "value");
	in.value = "+60123456789";
	in.country = "M1";
	assert_int_equal(normalise(&in, &out, &e), -1);
	assert_string_equal(e.field, "country");
	in.type = "ewallet";
	in.country = NULL;
	in.provider = "a very long provider name that goes on and on and on";
	assert_int_equal(normalise(&in, &out, &e), -1);
	assert_string_equal(e.field, "provider");
}

static void
test_keccak(void **state)
{
	unsigned char h[32];
	char hex[65];

	(void)state;
	keccak256("", 0, h);
	hex_encode(h, 32, hex);
	assert_string_equal(hex, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	keccak256("abc", 3, h);
	hex_encode(h, 32, hex);
	assert_string_equal(hex, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

static void
test_key_check(void **state)
{
	static const char *const good[] = {
		"phone:+60123456789", "phone_raw:0123", "iban:GB82WEST12345698765432",
		"url:http://x.com/", "domain:example.com.my", "crypto:eth:0xab",
		"bank_account:MY:MBBEMYKL:512345678901", "bank_account:::1",
		"email:a@b.c", "ip:::1", "ip:10.0.0.0/8", "handle:telegram:x",
		"ewallet:gcash:+639171234567", "imei:490154203237518",
		"national_id:MY:MYKAD:900101145678", "passport:UT:P:L898902C3", NULL
	};
	static const char *const badk[] = {
		"", "phone", "phone:", "phone:60123", "phone:+60 123", "phone_raw:+60",
		"iban:gb82", "car:x", "url:http://x.com/a b", "domain:exa mple.com",
		"crypto:ETH:0xab", "crypto::0xab", "bank_account:MY:x:1", "ip:FE80::1",
		"imei:12a", "national_id:M:ID:1", "handle:telegram:", "email:a\tb", NULL
	};
	struct err e;

	(void)state;
	for (int i = 0; good[i]; i++)
		if (normalise_key_check(good[i], strlen(good[i]), &e) != 0)
			fail_msg("key %s refused: %s", good[i], e.msg);
	for (int i = 0; badk[i]; i++) {
		if (normalise_key_check(badk[i], strlen(badk[i]), &e) != -1)
			fail_msg("key '%s' accepted", badk[i]);
		assert_string_equal(e.field, "key");
	}
}

static void
test_types(void **state)
{
	(void)state;
	for (int t = 0; t < SEL__N; t++) {
		const char *n = sel_type_name((enum sel_type)t);
		assert_int_equal(sel_type_parse(n, strlen(n)), t);
	}
	assert_int_equal(sel_type_parse("phon", 4), -1);
	assert_int_equal(sel_type_parse("phone_raw", 9), -1);
}

static int
setup(void **state)
{
	(void)state;
	return normalise_init();
}

static int
teardown(void **state)
{
	(void)state;
	normalise_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_bank_account),
		cmocka_unit_test(test_ewallet),
		cmocka_unit_test(test_crypto),
		cmocka_unit_test(test_handle),
		cmocka_unit_test(test_imei),
		cmocka_unit_test(test_national_id),
		cmocka_unit_test(test_passport),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_keccak),
		cmocka_unit_test(test_key_check),
		cmocka_unit_test(test_types),
	};
	return cmocka_run_group_tests_name("normalise", tests, setup, teardown);
}
