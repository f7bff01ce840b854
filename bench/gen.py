#!/usr/bin/env python3
"""bench/gen.py - deterministic benchmark data for bench/run.sh (python3 stdlib only).

Writes into OUTDIR:
  agencies.tsv                 id, country, kind (about 20 agencies of 9 countries)
  reports/<agency>.jsonl       reports in the shape of POST /api/v1/reports, 3 selectors each
  keys/<agency>.tsv            per report: reference, then the 3 canonical keys we expect
                               (used by the raw-SQLite baseline: the same rows)
  batch-canon-N.json           POST /api/v1/check bodies, 1,000 canonical {"key"} items each
  batch-raw-N.json             POST /api/v1/check bodies, 1,000 raw {"type","value",...} items each
                               (phones in national format with a country, urls, bank accounts)
  raw-known.jsonl              raw selectors taken from the reports (the 1 % hits of the raw batches)
  (the canonical batches likewise carry 1 % keys of reported selectors)

Overlap: about 6 % of selector slots draw from a pool of "network" selectors that several
agencies of several countries report (mule accounts, scam numbers, phishing sites); the rest
are unique. Selector values are unique by construction (an affine permutation of a counter),
not by rejection, so generation is linear and fast.

usage: gen.py OUTDIR [--reports N] [--seed S] [--batches B]
"""
import hashlib
import json
import os
import random
import sys

AGENCIES = [  # id, country, kind, weight (share of the reports)
    ("MY-NSRC", "MY", "asc", 12), ("MY-PDRM", "MY", "police", 6), ("TH-AOC", "TH", "asc", 14),
    ("TH-CCIB", "TH", "police", 6), ("SG-ASCOM", "SG", "asc", 8), ("SG-SPF", "SG", "police", 3),
    ("ID-BARESKRIM", "ID", "police", 8), ("ID-OJK", "ID", "regulator", 3), ("PH-CICC", "PH", "asc", 8),
    ("PH-PNP-ACG", "PH", "police", 4), ("VN-MPS", "VN", "police", 7), ("KH-NP", "KH", "police", 3),
    ("LA-MPS", "LA", "police", 1), ("BN-RBPF", "BN", "police", 1), ("MM-MPF", "MM", "police", 1),
    ("GB-NCA", "GB", "partner_le", 4), ("GB-AF", "GB", "partner_le", 4), ("MY-MAYBANK", "MY", "bank", 3),
    ("TH-KBANK", "TH", "bank", 3), ("PH-GLOBE", "PH", "telco", 1),
]
# where an agency's scammers' selectors come from (country weights)
TARGETS = {
    "MY": {"MY": 60, "TH": 8, "ID": 8, "KH": 10, "SG": 4, "PH": 5, "VN": 5},
    "TH": {"TH": 60, "KH": 15, "MY": 8, "VN": 7, "ID": 5, "PH": 5},
    "SG": {"SG": 30, "MY": 30, "ID": 10, "PH": 10, "TH": 10, "KH": 10},
    "ID": {"ID": 70, "MY": 10, "KH": 10, "PH": 5, "SG": 5},
    "PH": {"PH": 65, "KH": 10, "MY": 10, "ID": 5, "VN": 5, "TH": 5},
    "VN": {"VN": 65, "KH": 20, "TH": 5, "MY": 5, "PH": 5},
    "KH": {"KH": 50, "TH": 20, "VN": 20, "MY": 10},
    "LA": {"TH": 40, "KH": 30, "VN": 20, "MY": 10},
    "BN": {"MY": 60, "SG": 20, "ID": 20},
    "MM": {"TH": 50, "MY": 20, "KH": 30},
    "GB": {"GB": 30, "MY": 15, "KH": 20, "TH": 15, "PH": 10, "SG": 10},
}
CC_DIAL = {"MY": "60", "TH": "66", "SG": "65", "ID": "62", "PH": "63", "VN": "84", "KH": "855", "GB": "44"}
# mobile prefixes of the national significant number valid in libphonenumber, and subscriber digits
MOBILE = {
    "MY": [("12", 7), ("16", 7), ("19", 7), ("111", 7), ("112", 7), ("113", 7), ("132", 6), ("133", 6),
           ("142", 6), ("143", 6), ("173", 6), ("174", 6)],
    "TH": [("81", 7), ("82", 7), ("83", 7), ("84", 7), ("86", 7), ("89", 7), ("91", 7), ("92", 7),
           ("95", 7), ("96", 7), ("98", 7), ("99", 7), ("61", 7), ("62", 7), ("63", 7), ("64", 7)],
    "SG": [("81", 6), ("82", 6), ("83", 6), ("84", 6), ("85", 6), ("86", 6), ("87", 6), ("88", 6),
           ("90", 6), ("91", 6), ("92", 6), ("93", 6), ("94", 6), ("96", 6), ("97", 6), ("98", 6)],
    "ID": [("811", 8), ("812", 8), ("813", 8), ("821", 8), ("822", 8), ("852", 8), ("853", 8), ("857", 8),
           ("858", 8), ("877", 8), ("878", 8), ("895", 8), ("896", 8)],
    "PH": [("917", 7), ("918", 7), ("919", 7), ("927", 7), ("939", 7), ("945", 7), ("956", 7), ("966", 7),
           ("977", 7), ("995", 7), ("998", 7), ("908", 7), ("921", 7), ("928", 7)],
    "VN": [("32", 7), ("33", 7), ("34", 7), ("35", 7), ("36", 7), ("37", 7), ("38", 7), ("39", 7), ("70", 7),
           ("77", 7), ("78", 7), ("79", 7), ("81", 7), ("83", 7), ("86", 7), ("88", 7), ("90", 7), ("91", 7),
           ("93", 7), ("94", 7), ("96", 7), ("97", 7), ("98", 7)],
    "KH": [("12", 6), ("17", 6), ("92", 6), ("95", 6), ("99", 6), ("10", 6), ("15", 6), ("16", 6),
           ("70", 6), ("81", 6), ("93", 6), ("98", 6), ("77", 6), ("78", 6)],
    "GB": [("7400", 6), ("7500", 6), ("7700", 6), ("7800", 6), ("7900", 6), ("7911", 6)],
}
BANKS = {  # BIC8, account digits, grouping
    "MY": [("MBBEMYKL", 12, [4, 4, 4]), ("CIBBMYKL", 14, [2, 4, 4, 4]), ("PBBEMYKL", 10, [1, 2, 2, 5]),
           ("RHBBMYKL", 14, [1, 5, 4, 4]), ("HLBBMYKL", 11, [3, 2, 5, 1])],
    "TH": [("BKKBTHBK", 10, [3, 1, 5, 1]), ("KASITHBK", 10, [3, 1, 5, 1]), ("SICOTHBK", 10, [3, 1, 5, 1]),
           ("KRTHTHBK", 10, [3, 1, 5, 1]), ("AYUDTHBK", 10, [3, 1, 5, 1])],
    "SG": [("DBSSSGSG", 10, [3, 6, 1]), ("OCBCSGSG", 12, [3, 6, 3]), ("UOVBSGSG", 10, [3, 3, 3, 1])],
    "ID": [("CENAIDJA", 10, [3, 3, 4]), ("BRINIDJA", 15, [4, 2, 6, 2, 1]), ("BMRIIDJA", 13, [3, 2, 7, 1])],
    "PH": [("BNORPHMM", 12, [4, 4, 4]), ("BOPIPHMM", 10, [4, 4, 2]), ("MBTCPHMM", 13, [3, 3, 6, 1])],
    "VN": [("BFTVVNVX", 13, [4, 3, 6]), ("VTCBVNVX", 14, [4, 4, 6]), ("MSCBVNVX", 13, [4, 4, 5])],
    "KH": [("ABAAKHPP", 9, [3, 3, 3]), ("ACLBKHPP", 12, [4, 4, 4])],
    "GB": [("NWBKGB2L", 8, [8]), ("BARCGB22", 8, [8])],
}
EWALLETS = {"MY": ["tng", "grabpay"], "PH": ["gcash", "maya"], "TH": ["truemoney"], "ID": ["dana", "ovo"],
            "VN": ["momo"], "KH": ["wing"], "SG": ["grabpay"], "GB": []}
TLDS = ["com", "net", "xyz", "top", "vip", "shop", "online", "com.my", "co.th", "com.ph", "co.id", "com.vn"]
WORDS = ["asia", "trade", "gold", "profit", "invest", "secure", "bank", "parcel", "post", "lucky", "star",
         "crypto", "coin", "wealth", "smart", "global", "royal", "dragon", "lotus", "prime", "win", "cash"]
PATHS = ["/login", "/app/register", "/verify", "/track", "/invite", "/m/pay", "/"]
SCAM_TYPES = ["investment", "crypto_investment", "job", "love", "parcel", "impersonation_police",
              "impersonation_bank", "phishing", "ecommerce", "loan"]
CURRENCY = {"MY": "MYR", "TH": "THB", "SG": "SGD", "ID": "IDR", "PH": "PHP", "VN": "VND", "KH": "USD",
            "LA": "LAK", "BN": "BND", "MM": "MMK", "GB": "GBP"}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Perm:
    """Unique values from a counter: i -> (i*A + B) mod M, a bijection when gcd(A, M) = 1."""

    def __init__(self, m, a=2654435761, b=12345):
        self.m, self.a, self.b, self.i = m, a, b, 0
        while gcd(self.a, m) != 1:
            self.a += 1

    def next(self):
        v = (self.i * self.a + self.b) % self.m
        self.i += 1
        return v


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def groups(s, g):
    out, i = [], 0
    for n in g:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return out


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.perm = {}

    def uniq(self, space, digits):
        p = self.perm.get(space)
        if p is None:
            p = self.perm[space] = Perm(10 ** digits, 2654435761 + len(self.perm) * 2)
        return "%0*d" % (digits, p.next())

    # Each maker returns an entity: canonical key and the ways it can be written.
    def phone(self, cc):
        pre, k = self.rng.choice(MOBILE[cc])
        nsn = pre + self.uniq("phone" + cc + pre, k)
        return ("phone", cc, nsn)

    def bank(self, cc):
        bic, nd, g = self.rng.choice(BANKS[cc])
        digits = str(1 + self.rng.randrange(9)) + self.uniq("bank" + bic, nd - 1)
        return ("bank_account", cc, bic, digits, tuple(g))

    def ewallet(self, cc):
        provs = EWALLETS.get(cc) or ["grabpay"]
        prov = self.rng.choice(provs)
        pcc = cc if cc in MOBILE and cc != "GB" else "MY"
        pre, k = self.rng.choice(MOBILE[pcc])
        wid = ("0" if pcc != "SG" else "") + pre + self.uniq("ew" + prov + pre, k)
        return ("ewallet", prov, wid)

    def crypto(self):
        chain = self.rng.choice(["eth", "eth", "trx", "btc"])
        # 20 bytes derived from a unique counter (BLAKE2b: collisions are out of reach)
        h = hashlib.blake2b(self.uniq("crypto", 12).encode(), digest_size=20).digest()
        if chain == "eth":
            return ("crypto", "eth", "0x" + h.hex())
        payload = (b"\x41" if chain == "trx" else b"\x00") + h
        raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
        n = int.from_bytes(raw, "big")
        s = ""
        while n:
            n, r = divmod(n, 58)
            s = B58[r] + s
        s = "1" * (len(raw) - len(raw.lstrip(b"\0"))) + s
        return ("crypto", chain, s)

    def url(self):
        rng = self.rng
        host = "%s-%s%s.%s" % (rng.choice(WORDS), rng.choice(WORDS), self.uniq("host", 6),
                               rng.choice(TLDS))
        if rng.random() < 0.3:
            host = rng.choice(["m.", "app.", "www.", "secure."]) + host
        return ("url", "https" if rng.random() < 0.8 else "http", host, rng.choice(PATHS))

    def entity(self, cc):
        r = self.rng.random()
        if r < 0.40:
            return self.phone(cc)
        if r < 0.75:
            return self.bank(cc)
        if r < 0.85:
            return self.url()
        if r < 0.93:
            return self.ewallet(cc)
        return self.crypto()


def key_of(e):
    t = e[0]
    if t == "phone":
        return "phone:+%s%s" % (CC_DIAL[e[1]], e[2])
    if t == "bank_account":
        return "bank_account:%s:%s:%s" % (e[1], e[2], e[3])
    if t == "ewallet":
        return "ewallet:%s:%s" % (e[1], e[2])
    if t == "crypto":
        return "crypto:%s:%s" % (e[1], e[2])
    return "url:%s://%s%s" % (e[1], e[2], e[3])


ROLE = {"phone": "scammer_contact", "bank_account": "mule_account", "ewallet": "payment_destination",
        "crypto": "payment_destination", "url": "phishing_site"}


def written(rng, e, reporter_cc, national_ok=True):
    """The selector as an analyst types it: national or international phone formats,
    grouped account numbers, upper-case hosts now and then."""
    t = e[0]
    if t == "phone":
        cc, nsn = e[1], e[2]
        trunk = "" if cc == "SG" else "0"
        r = rng.random()
        if national_ok and r < 0.5:
            v = trunk + (nsn[:2] + "-" + nsn[2:5] + " " + nsn[5:] if rng.random() < 0.5 else nsn)
            s = {"type": "phone", "value": v}
            if cc != reporter_cc:
                s["country"] = cc
            return s
        if r < 0.8:
            return {"type": "phone", "value": "+%s %s %s" % (CC_DIAL[cc], nsn[:3], nsn[3:])}
        return {"type": "phone", "value": "+%s%s" % (CC_DIAL[cc], nsn)}
    if t == "bank_account":
        cc, bic, d, g = e[1], e[2], e[3], e[4]
        r = rng.random()
        v = d if r < 0.4 else (" " if r < 0.8 else "-").join(groups(d, g))
        return {"type": "bank_account", "value": v, "country": cc, "bank": bic}
    if t == "ewallet":
        return {"type": "ewallet", "value": e[2], "provider": e[1]}
    if t == "crypto":
        s = {"type": "crypto", "value": e[2]}
        if rng.random() < 0.5:
            s["chain"] = e[1]
        return s
    host = e[2].upper() if rng.random() < 0.05 else e[2]
    return {"type": "url", "value": "%s://%s%s" % (e[1], host, e[3])}


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    n_reports, seed, n_batches = 340000, 20261120, 32
    i = 1
    while i < len(args):
        if args[i] == "--reports":
            n_reports = int(args[i + 1]); i += 2
        elif args[i] == "--seed":
            seed = int(args[i + 1]); i += 2
        elif args[i] == "--batches":
            n_batches = int(args[i + 1]); i += 2
        else:
            sys.exit("gen.py: unknown argument " + args[i])
    os.makedirs(os.path.join(out, "reports"), exist_ok=True)
    os.makedirs(os.path.join(out, "keys"), exist_ok=True)
    g = Gen(seed)
    rng = g.rng

    with open(os.path.join(out, "agencies.tsv"), "w") as f:
        for a in AGENCIES:
            f.write("%s\t%s\t%s\n" % a[:3])

    # The network pool: selectors that several agencies report (about 6 % of slots).
    pool_ccs = ["MY", "TH", "KH", "PH", "ID", "VN", "SG"]
    pool = [g.entity(rng.choice(pool_ccs)) for _ in range(max(200, n_reports // 50))]
    total_w = sum(a[3] for a in AGENCIES)
    counts = [n_reports * a[3] // total_w for a in AGENCIES]
    counts[0] += n_reports - sum(counts)
    known_raw, known_keys = [], []
    tlps = ["AMBER"] * 7 + ["GREEN"] * 2 + ["AMBER+STRICT"]
    for (aid, acc, kind, _), cnt in zip(AGENCIES, counts):
        tw = TARGETS[acc]
        tccs, tws = list(tw), list(tw.values())
        lines, keyl = [], []
        for j in range(cnt):
            sels, keys = [], []
            for s in range(3):
                if rng.random() < 0.06:
                    e = rng.choice(pool)
                else:
                    e = g.entity(rng.choices(tccs, tws)[0])
                w = written(rng, e, acc)
                w["role"] = ROLE[e[0]]
                sels.append(w)
                keys.append(key_of(e))
            if rng.random() < 0.002:
                known_keys.append(keys[0])
                known_raw.append({k: v for k, v in sels[0].items() if k != "role"} |
                                 ({"country": acc} if sels[0]["type"] == "phone" and "country" not in sels[0]
                                  and not sels[0]["value"].startswith("+") else {}))
            ref = "%s-%d-%07d" % (aid, 2026, j + 1)
            le = kind in ("police", "asc", "regulator", "partner_le")
            if kind == "partner_le":
                rel = ["ALL_LE"]
            elif le:
                rel = ["MEMBERS"] if rng.random() < 0.7 else ["ALL_LE"]
            else:
                rel = ["ALL_LE", "PRIVATE"]
            rep = {
                "reference": ref,
                "occurred_at": "2026-%02d-%02d" % (1 + rng.randrange(11), 1 + rng.randrange(28)),
                "scam_type": rng.choice(SCAM_TYPES),
                "loss": {"amount": rng.randrange(1000, 5000000), "currency": CURRENCY[acc]},
                "victim_country": acc,
                "narrative": "Victim paid %d times to the accounts named after contact on a messaging app." %
                             (1 + rng.randrange(9)),
                "selectors": sels,
                "markings": {"tlp": rng.choice(tlps), "releasable_to": rel,
                             "disclosure": "silent" if rng.random() < 0.02 else "hit", "orcon": False},
            }
            lines.append(json.dumps(rep, separators=(",", ":"), ensure_ascii=False))
            keyl.append(ref + "\t" + "\t".join(keys))
        with open(os.path.join(out, "reports", aid + ".jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(out, "keys", aid + ".tsv"), "w") as f:
            f.write("\n".join(keyl) + "\n")
        sys.stderr.write("gen: %-13s %7d reports\n" % (aid, cnt))

    with open(os.path.join(out, "raw-known.jsonl"), "w") as f:
        for s in known_raw:
            f.write(json.dumps(s, separators=(",", ":")) + "\n")

    # Batch bodies: fresh (no-hit) selectors from the same generator, never posted, so
    # unique against the database; 1 % of the raw ones are known raw selectors (hits).
    brng = random.Random(seed + 1)
    for b in range(n_batches):
        items = []
        for k in range(1000):
            if known_keys and brng.random() < 0.01:
                items.append({"key": brng.choice(known_keys)})
                continue
            e = g.entity(brng.choice(pool_ccs))
            items.append({"key": key_of(e)})
        with open(os.path.join(out, "batch-canon-%d.json" % b), "w") as f:
            f.write(json.dumps({"selectors": items}, separators=(",", ":")))
        items = []
        for k in range(1000):
            if known_raw and brng.random() < 0.01:
                items.append(brng.choice(known_raw))
                continue
            r = brng.random()
            cc = brng.choice(pool_ccs)
            e = g.phone(cc) if r < 0.45 else g.url() if r < 0.7 else g.bank(cc)
            w = written(brng, e, cc)
            if w["type"] == "phone" and not w["value"].startswith("+"):
                w["country"] = cc  # national format: the country says how to read it
            items.append(w)
        with open(os.path.join(out, "batch-raw-%d.json" % b), "w") as f:
            f.write(json.dumps({"selectors": items}, separators=(",", ":")))
    sys.stderr.write("gen: %d reports, %d batch bodies of each kind in %s\n" % (n_reports, n_batches, out))


if __name__ == "__main__":
    main()
