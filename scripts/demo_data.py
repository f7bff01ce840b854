#!/usr/bin/env python3
"""Generate Simpul's fictional demo data set (see docs/demo.md).

Writes into --out DIR:
  agencies.json              [{"id","country","kind","name"}, ...]
  reports/<AGENCY_ID>.jsonl  one report per line, in the shape of POST /api/v1/reports
                             (load with `simpul import --agency ID --format reports-jsonl FILE`)
  summary.json               counts and the selectors worth trying in the demo

Everything is fictional: agencies of kind bank/telco/platform are invented, no person is
named, phone numbers, accounts, wallets, domains and handles are random. The output is
deterministic for a given --seed and --reports. A self-check runs after generation (and
alone with --check-only DIR); it exits non-zero when the output breaks the report contract.

Python 3 standard library only.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import sys

END = dt.date(2026, 11, 27)          # the demo's "today"
START = END - dt.timedelta(days=182)  # about six months of reports

# --------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------

AGENCIES = [
    ("MY-NSRC", "MY", "asc", "National Scam Response Centre"),
    ("MY-PDRM-CCID", "MY", "police", "Royal Malaysia Police - Commercial Crime Investigation Department"),
    ("MY-BNM", "MY", "regulator", "Bank Negara Malaysia"),
    ("TH-AOC", "TH", "asc", "Anti Online Scam Operation Center 1441"),
    ("TH-CIB", "TH", "police", "Royal Thai Police - Central Investigation Bureau"),
    ("TH-CCIB", "TH", "police", "Royal Thai Police - Cyber Crime Investigation Bureau"),
    ("SG-ASCOM", "SG", "asc", "Anti-Scam Command"),
    ("SG-SPF-CAD", "SG", "police", "Singapore Police Force - Commercial Affairs Department"),
    ("ID-POLRI", "ID", "police", "Indonesian National Police - Directorate of Cyber Crime"),
    ("ID-IASC", "ID", "asc", "Indonesia Anti-Scam Centre"),
    ("PH-CICC", "PH", "asc", "Cybercrime Investigation and Coordinating Center"),
    ("PH-PNP-ACG", "PH", "police", "Philippine National Police - Anti-Cybercrime Group"),
    ("VN-MPS", "VN", "police", "Ministry of Public Security - Cybersecurity and High-Tech Crime Prevention"),
    ("KH-NP", "KH", "police", "General Commissariat of National Police"),
    ("LA-MPS", "LA", "police", "Ministry of Public Security"),
    ("BN-RBPF", "BN", "police", "Royal Brunei Police Force"),
    ("ASEANAPOL", "MY", "secretariat", "ASEANAPOL Secretariat"),
    ("UK-NCA", "GB", "partner_le", "National Crime Agency"),
    ("MY-BANK1", "MY", "bank", "Bank Seri Nusantara Berhad (fictional)"),
    ("TH-TELCO1", "TH", "telco", "Siam Mobile Network (fictional)"),
    ("SG-PLATFORM1", "SG", "platform", "LinkUp Social (fictional)"),
    # Public intake: POST /api/v1/public/reports files as the victim country's one.
    ("MY-PUBLIC", "MY", "public", "NSRC public scam reporting (fictional portal)"),
    ("TH-PUBLIC", "TH", "public", "1441 public scam reporting (fictional portal)"),
]
KINDS = {"police", "asc", "regulator", "secretariat", "partner_le", "bank", "telco", "platform", "public"}
LE_KINDS = {"police", "asc", "regulator", "secretariat", "partner_le"}
MEMBER_COUNTRIES = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}

# Which law-enforcement agency takes a victim's report, by victim country.
REPORTERS = {
    "MY": [("MY-NSRC", 70), ("MY-PDRM-CCID", 30)],
    "TH": [("TH-AOC", 65), ("TH-CIB", 20), ("TH-CCIB", 15)],
    "SG": [("SG-ASCOM", 80), ("SG-SPF-CAD", 20)],
    "ID": [("ID-POLRI", 60), ("ID-IASC", 40)],
    "PH": [("PH-CICC", 65), ("PH-PNP-ACG", 35)],
    "VN": [("VN-MPS", 100)],
    "KH": [("KH-NP", 100)],
    "GB": [("UK-NCA", 100)],
}

CURRENCY = {"MY": ("MYR", 2), "TH": ("THB", 2), "SG": ("SGD", 2), "ID": ("IDR", 2), "PH": ("PHP", 2),
            "VN": ("VND", 0), "KH": ("KHR", 2), "GB": ("GBP", 2)}
PER_USD = {"MY": 4.7, "TH": 36.0, "SG": 1.35, "ID": 16000.0, "PH": 57.0, "VN": 25000.0, "KH": 4100.0,
           "GB": 0.79}

SCAM_TYPES = ["investment", "job", "love", "parcel", "impersonation_police", "impersonation_bank",
              "phishing", "ecommerce", "loan", "crypto_investment", "sextortion"]
# Median loss in USD, by scam type.
MEDIAN_LOSS_USD = {"investment": 9000, "crypto_investment": 22000, "job": 2500, "love": 11000,
                   "parcel": 600, "impersonation_police": 16000, "impersonation_bank": 3500,
                   "phishing": 1300, "ecommerce": 220, "loan": 400, "sextortion": 900}

# --------------------------------------------------------------------------------------
# Contract (what the self-check enforces)
# --------------------------------------------------------------------------------------

REPORT_FIELDS = {"reference", "occurred_at", "reported_at", "scam_type", "loss", "victim_country",
                 "narrative", "status", "selectors", "markings", "victim"}
SELECTOR_FIELDS = {"type", "value", "role", "country", "bank", "provider", "chain", "platform"}
SELECTOR_TYPES = {"phone", "bank_account", "iban", "ewallet", "crypto", "url", "domain", "email", "ip",
                  "handle"}
TLPS = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}
AGENCY_ID_RE = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# --------------------------------------------------------------------------------------
# Phones: (national prefixes after the trunk 0, subscriber digits, grouping)
# --------------------------------------------------------------------------------------

CC_DIAL = {"MY": "60", "TH": "66", "SG": "65", "ID": "62", "PH": "63", "VN": "84", "KH": "855", "GB": "44"}
MOBILE = {
    # Malaysian prefixes valid in libphonenumber's metadata (011 numbers have 8 subscriber digits).
    "MY": [("12", 7), ("16", 7), ("19", 7)] + [("13" + d, 6) for d in "123456789"] +
          [("14" + d, 6) for d in "2356789"] + [("17" + d, 6) for d in "123456789"] +
          [("18" + d, 6) for d in "236"] + [("10" + d, 6) for d in "23568"] + [("11" + d, 7) for d in "12345"],
    "TH": [("61", 7), ("62", 7), ("63", 7), ("64", 7), ("65", 7), ("80", 7), ("81", 7), ("82", 7), ("83", 7),
           ("84", 7), ("85", 7), ("86", 7), ("87", 7), ("88", 7), ("89", 7), ("90", 7), ("91", 7), ("92", 7),
           ("93", 7), ("94", 7), ("95", 7), ("96", 7), ("97", 7), ("98", 7), ("99", 7)],
    "SG": [("81", 6), ("82", 6), ("83", 6), ("84", 6), ("85", 6), ("86", 6), ("87", 6), ("88", 6), ("90", 6),
           ("91", 6), ("92", 6), ("93", 6), ("94", 6), ("96", 6), ("97", 6), ("98", 6)],
    "ID": [("811", 8), ("812", 8), ("813", 8), ("821", 8), ("822", 8), ("852", 8), ("853", 8), ("815", 8),
           ("816", 8), ("857", 8), ("858", 8), ("817", 8), ("818", 8), ("819", 8), ("859", 8), ("877", 8),
           ("878", 8), ("895", 8), ("896", 8)],
    "PH": [("917", 7), ("918", 7), ("919", 7), ("927", 7), ("939", 7), ("945", 7), ("956", 7), ("966", 7),
           ("977", 7), ("995", 7), ("998", 7), ("908", 7), ("921", 7), ("928", 7)],
    "VN": [("32", 7), ("33", 7), ("34", 7), ("35", 7), ("36", 7), ("37", 7), ("38", 7), ("39", 7), ("56", 7),
           ("58", 7), ("70", 7), ("76", 7), ("77", 7), ("78", 7), ("79", 7), ("81", 7), ("82", 7), ("83", 7),
           ("84", 7), ("85", 7), ("86", 7), ("88", 7), ("90", 7), ("91", 7), ("93", 7), ("94", 7),
           ("96", 7), ("97", 7), ("98", 7)],
    "KH": [("12", 6), ("17", 6), ("92", 6), ("95", 6), ("99", 6), ("10", 6), ("15", 6), ("16", 6), ("69", 6),
           ("70", 6), ("81", 6), ("93", 6), ("98", 6), ("61", 6), ("77", 6), ("78", 6)],
    # UK mobiles (libphonenumber rejects Ofcom's 07700 900xxx drama range as invalid).
    "GB": [(p, 7) for p in ("740", "741", "742", "743", "744", "751", "753", "754", "755", "756", "757",
                            "758", "759", "771", "772", "773", "774", "781", "784", "785", "786", "787", "788")],
}
# E.164 shape per country, for the self-check.
E164_RE = {
    "MY": re.compile(r"^\+601(1\d{8}|[0-46-9]\d{7})$"),
    "TH": re.compile(r"^\+66[689]\d{8}$"),
    "SG": re.compile(r"^\+65[89]\d{7}$"),
    "ID": re.compile(r"^\+628\d{9,11}$"),
    "PH": re.compile(r"^\+639\d{9}$"),
    "VN": re.compile(r"^\+84[35789]\d{8}$"),
    "KH": re.compile(r"^\+855[1-9]\d{7,8}$"),
    "GB": re.compile(r"^\+447\d{9}$"),
}


def split_groups(s, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out[-1] += s[i:]
    return [g for g in out if g]


def phone_groups(cc, nsn):
    """National significant number grouped the way people write it."""
    if cc == "MY":
        return [nsn[:2], nsn[2:5] if len(nsn) == 9 else nsn[2:6], nsn[5:] if len(nsn) == 9 else nsn[6:]]
    if cc == "TH":
        return [nsn[:2], nsn[2:5], nsn[5:]]
    if cc == "SG":
        return [nsn[:4], nsn[4:]]
    if cc == "ID":
        return [nsn[:3], nsn[3:7], nsn[7:]]
    if cc == "PH":
        return [nsn[:3], nsn[3:6], nsn[6:]]
    if cc == "VN":
        return [nsn[:2], nsn[2:5], nsn[5:]]
    if cc == "KH":
        return [nsn[:2], nsn[2:5], nsn[5:]]
    if cc == "GB":
        return [nsn[:4], nsn[4:]]
    return [nsn]


def phone_format(rng, cc, nsn, reporter_cc):
    """Return (value, country-field-or-None): a mix of national and international formats.
    A national format of a foreign number carries "country" (the API reads national formats
    in the posting agency's country otherwise)."""
    g = phone_groups(cc, nsn)
    trunk = "" if cc == "SG" else "0"
    intl = [
        "+%s%s" % (CC_DIAL[cc], nsn),
        "+%s %s" % (CC_DIAL[cc], " ".join(g)),
        "+%s %s-%s" % (CC_DIAL[cc], g[0], "".join(g[1:])) if cc != "SG" else "+%s %s" % (CC_DIAL[cc], "".join(g)),
        "+%s %s" % (CC_DIAL[cc], "-".join(g)),
    ]
    if cc == "MY":
        intl.append("+60 %s-%s %s" % tuple(g))
    nat = [
        trunk + nsn,
        trunk + " ".join(g) if cc != "SG" else " ".join(g),
        trunk + "-".join(g) if cc != "SG" else "-".join(g),
    ]
    if cc == "MY":
        nat.append("0%s-%s %s" % tuple(g))
    if cc == "TH":
        nat.append("0%s-%s-%s" % tuple(g))
    if cc == "VN":
        n = "0" + nsn
        nat.append("%s %s %s" % (n[:4], n[4:7], n[7:]))
    if cc == reporter_cc:
        return (rng.choice(nat), None) if rng.random() < 0.6 else (rng.choice(intl), None)
    if rng.random() < 0.25:
        return rng.choice(nat), cc
    return rng.choice(intl), None


# --------------------------------------------------------------------------------------
# Banks: BIC8, display names, account digit lengths and grouping
# --------------------------------------------------------------------------------------

BANKS = {
    "MY": [("MBBEMYKL", "Maybank", 12, [4, 4, 4]), ("CIBBMYKL", "CIMB", 14, [2, 4, 4, 4]),
           ("PBBEMYKL", "Public Bank", 10, [1, 2, 2, 5]), ("RHBBMYKL", "RHB", 14, [1, 5, 4, 4]),
           ("HLBBMYKL", "Hong Leong Bank", 11, [3, 2, 5, 1]), ("BIMBMYKL", "Bank Islam", 14, [5, 2, 6, 1])],
    "TH": [("BKKBTHBK", "Bangkok Bank", 10, [3, 1, 5, 1]), ("KASITHBK", "Kasikornbank", 10, [3, 1, 5, 1]),
           ("SICOTHBK", "SCB", 10, [3, 1, 5, 1]), ("KRTHTHBK", "Krungthai", 10, [3, 1, 5, 1]),
           ("AYUDTHBK", "Krungsri", 10, [3, 1, 5, 1])],
    "SG": [("DBSSSGSG", "DBS", 10, [3, 6, 1]), ("OCBCSGSG", "OCBC", 12, [3, 6, 3]),
           ("UOVBSGSG", "UOB", 10, [3, 3, 3, 1])],
    "ID": [("CENAIDJA", "BCA", 10, [3, 3, 4]), ("BRINIDJA", "BRI", 15, [4, 2, 6, 2, 1]),
           ("BMRIIDJA", "Mandiri", 13, [3, 2, 7, 1]), ("BNINIDJA", "BNI", 10, [3, 3, 4])],
    "PH": [("BNORPHMM", "BDO", 12, [4, 4, 4]), ("BOPIPHMM", "BPI", 10, [4, 4, 2]),
           ("MBTCPHMM", "Metrobank", 13, [3, 3, 6, 1]), ("TLBPPHMM", "Landbank", 10, [4, 4, 2])],
    "VN": [("BFTVVNVX", "Vietcombank", 13, [4, 3, 6]), ("VTCBVNVX", "Techcombank", 14, [4, 4, 6]),
           ("MSCBVNVX", "MB Bank", 13, [4, 4, 5]), ("ASCBVNVX", "ACB", 9, [3, 3, 3])],
    "KH": [("ABAAKHPP", "ABA Bank", 9, [3, 3, 3]), ("ACLBKHPP", "ACLEDA", 12, [4, 4, 4])],
}
BANK_NAME = {b[0]: b[1] for v in BANKS.values() for b in v}
BANK_NAME_TH = {"BKKBTHBK": "กรุงเทพ", "KASITHBK": "กสิกรไทย", "SICOTHBK": "ไทยพาณิชย์",
                "KRTHTHBK": "กรุงไทย", "AYUDTHBK": "กรุงศรีอยุธยา"}
GB_BANKS = ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]

EWALLETS = {  # provider id -> (display name, country of the account's phone number)
    "tng": ("Touch 'n Go eWallet", "MY"), "grabpay": ("GrabPay", "MY"), "gcash": ("GCash", "PH"),
    "maya": ("Maya", "PH"), "truemoney": ("TrueMoney", "TH"), "dana": ("DANA", "ID"), "ovo": ("OVO", "ID"),
    "momo": ("MoMo", "VN"), "wing": ("Wing", "KH"),
}
PLATFORM_NAME = {"telegram": "Telegram", "line": "LINE", "facebook": "Facebook", "instagram": "Instagram",
                 "tiktok": "TikTok", "wechat": "WeChat", "x": "X"}

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + s


def iban_gb(rng):
    bank = rng.choice(GB_BANKS)
    bban = bank + "%06d" % rng.randrange(10 ** 6) + "%08d" % rng.randrange(10 ** 8)
    num = "".join(str(int(c, 36)) for c in bban + "GB00")
    check = 98 - int(num) % 97
    s = "GB%02d%s" % (check, bban)
    return s


def iban_ok(s):
    s = s.replace(" ", "").upper()
    num = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(num) % 97 == 1


# --------------------------------------------------------------------------------------
# Narratives
# --------------------------------------------------------------------------------------

T = {}
T["ms"] = {
    "investment": [
        "Mangsa diperkenalkan kepada skim pelaburan '{app}' melalui {ch} dengan janji pulangan 30% seminggu. "
        "Dalam tempoh {weeks} minggu mangsa membuat {n} transaksi berjumlah {amount} ke {pay}. Apabila ingin "
        "mengeluarkan keuntungan, mangsa diminta membayar 'cukai' tambahan dan kemudian disekat.",
        "Mangsa melihat iklan pelaburan emas di Facebook dan dihubungi oleh 'pengurus akaun' {app} melalui {ch}. "
        "Mangsa memindahkan {amount} ke {pay}. Aplikasi menunjukkan keuntungan palsu tetapi pengeluaran tidak "
        "dapat dibuat."],
    "job": [
        "Mangsa ditawarkan kerja sambilan 'like dan review' produk melalui {ch}. Selepas menerima komisen kecil, "
        "mangsa diarah membuat 'tugasan prabayar' dan memindahkan {amount} dalam {n} transaksi ke {pay}. Dana "
        "tidak dikembalikan.",
        "Mangsa menerima mesej {ch} menawarkan kerja dari rumah dengan gaji RM300 sehari. Mangsa perlu "
        "'menaik taraf akaun' dan telah membayar {amount} ke {pay} sebelum menyedari ditipu."],
    "love": [
        "Mangsa berkenalan dengan seorang lelaki yang mengaku jurutera di luar negara melalui {ch}. Selepas "
        "{weeks} minggu berhubung, suspek meminta wang untuk kos kastam bungkusan hadiah. Mangsa memindahkan "
        "{amount} ke {pay}."],
    "parcel": [
        "Mangsa menerima SMS kononnya bungkusan tertahan dan perlu membayar caj penghantaran RM3.50 melalui "
        "pautan. Selepas memasukkan butiran kad, {amount} didebit daripada akaun mangsa."],
    "impersonation_police": [
        "Mangsa menerima panggilan daripada individu mengaku pegawai {org} yang mendakwa akaun mangsa terlibat "
        "dalam kes pengubahan wang haram. Mangsa diarah memindahkan {amount} ke {pay} untuk 'siasatan'.",
        "Mangsa dihubungi kononnya dari syarikat kurier bahawa bungkusan atas nama mangsa mengandungi dadah, "
        "lalu disambungkan kepada 'pegawai {org}'. Mangsa memindahkan {amount} dalam {n} transaksi ke {pay}."],
    "impersonation_bank": [
        "Mangsa dihubungi oleh individu mengaku pegawai bank yang memaklumkan transaksi mencurigakan. Mangsa "
        "diminta memberikan TAC dan kehilangan {amount} melalui {n} pemindahan ke {pay}."],
    "phishing": [
        "Mangsa menekan pautan dalam mesej {ch} yang menyerupai laman bank dan memasukkan nama pengguna serta "
        "kata laluan. {amount} dipindahkan keluar ke {pay} tanpa kebenaran."],
    "ecommerce": [
        "Mangsa membeli telefon bimbit daripada penjual di {ch} dan membayar {amount} ke {pay}. Barang tidak "
        "diterima dan penjual tidak dapat dihubungi."],
    "loan": [
        "Mangsa memohon pinjaman peribadi melalui aplikasi {app}. Mangsa diminta membayar 'yuran proses' dan "
        "'deposit insurans' berjumlah {amount} ke {pay} sebelum pinjaman diluluskan. Pinjaman tidak pernah "
        "diberikan."],
    "crypto_investment": [
        "Mangsa dijemput menyertai kumpulan {ch} perdagangan kripto '{app}'. Mangsa membeli USDT dan menghantar "
        "{amount} ke dompet yang diberikan. Akaun dalam platform dibekukan apabila mangsa cuba mengeluarkan dana."],
    "sextortion": [
        "Mangsa diajak membuat panggilan video oleh akaun {ch} yang tidak dikenali. Suspek kemudian mengugut "
        "menyebarkan rakaman dan menuntut {amount} dibayar ke {pay}."],
}
T["th"] = {
    "investment": [
        "ผู้เสียหายถูกชักชวนผ่าน {ch} ให้ลงทุนในแพลตฟอร์ม {app} โดยอ้างว่าได้ผลตอบแทนสูง โอนเงินรวม {n} ครั้ง "
        "เป็นเงิน {amount} เข้า{pay} เมื่อต้องการถอนเงินกลับถูกเรียกเก็บค่าธรรมเนียมเพิ่มและไม่สามารถติดต่อได้",
        "ผู้เสียหายเห็นโฆษณาชวนลงทุนหุ้นบน Facebook แล้วถูกดึงเข้ากลุ่ม {ch} ของ {app} มีผู้แนะนำการลงทุน "
        "ผู้เสียหายโอนเงิน {amount} เข้า{pay} ระบบแสดงกำไรแต่ถอนเงินไม่ได้"],
    "job": [
        "ผู้เสียหายได้รับข้อความชวนทำงานออนไลน์กดไลก์สินค้าผ่าน {ch} ได้รับค่าคอมมิชชันเล็กน้อยในช่วงแรก "
        "ต่อมาถูกให้ทำภารกิจโดยต้องโอนเงินก่อน รวม {amount} เข้า{pay} แล้วไม่ได้รับเงินคืน"],
    "love": [
        "ผู้เสียหายรู้จักกับชายชาวต่างชาติผ่าน {ch} คุยกันประมาณ {weeks} สัปดาห์ คนร้ายอ้างว่าส่งพัสดุของขวัญมาให้"
        "แต่ติดศุลกากร ให้โอนค่าธรรมเนียม {amount} เข้า{pay}"],
    "parcel": [
        "ผู้เสียหายได้รับ SMS แจ้งว่าพัสดุตกค้าง ให้กดลิงก์เพื่อชำระค่าจัดส่ง หลังกรอกข้อมูลบัตร ถูกตัดเงิน {amount}"],
    "impersonation_police": [
        "คนร้ายโทรมาอ้างเป็นเจ้าหน้าที่{org} แจ้งว่าผู้เสียหายมีชื่อเกี่ยวข้องกับคดีฟอกเงิน ให้โอนเงิน {amount} "
        "เข้า{pay} เพื่อตรวจสอบเส้นทางการเงิน"],
    "impersonation_bank": [
        "คนร้ายโทรมาอ้างเป็นพนักงานธนาคาร แจ้งว่าบัญชีผู้เสียหายมีความผิดปกติ ให้ติดตั้งแอปพลิเคชันและยืนยันตัวตน "
        "หลังจากนั้นเงิน {amount} ถูกโอนออกไปยัง{pay}"],
    "phishing": [
        "ผู้เสียหายกดลิงก์ที่ได้รับทาง {ch} ซึ่งปลอมเป็นหน้าเว็บธนาคาร กรอกรหัสผ่านและ OTP ต่อมาพบว่ามีการโอนเงิน "
        "{amount} ออกจากบัญชี {n} รายการ"],
    "ecommerce": [
        "ผู้เสียหายสั่งซื้อโทรศัพท์มือถือจากร้านค้าบน {ch} โอนเงิน {amount} เข้า{pay} แต่ไม่ได้รับสินค้า "
        "และผู้ขายบล็อกการติดต่อ"],
    "loan": [
        "ผู้เสียหายขอสินเชื่อผ่านแอป {app} ถูกเรียกเก็บค่าธรรมเนียมและค่าประกันก่อนอนุมัติ รวม {amount} "
        "โอนเข้า{pay} แต่ไม่ได้รับเงินกู้"],
    "crypto_investment": [
        "ผู้เสียหายถูกชวนเทรดคริปโตผ่านแพลตฟอร์ม {app} ซื้อ USDT แล้วโอนไปยังกระเป๋าที่คนร้ายกำหนด รวม {amount} "
        "ต่อมาบัญชีในแพลตฟอร์มถูกระงับ"],
    "sextortion": [
        "ผู้เสียหายถูกชวนวิดีโอคอลผ่าน {ch} ต่อมาคนร้ายข่มขู่ว่าจะเผยแพร่คลิป เรียกเงิน {amount} ให้โอนเข้า{pay}"],
}
T["en"] = {
    "investment": [
        "Victim was added to a {ch} group promoting the '{app}' trading platform and was guided by a 'mentor' "
        "to invest. Over {weeks} weeks the victim made {n} transfers totalling {amount} to {pay}. Withdrawal "
        "was refused unless a 20% 'tax' was paid first.",
        "Victim responded to an online advertisement with a fake celebrity endorsement for {app}. After a small "
        "initial profit was shown, the victim transferred {amount} to {pay}. The platform then became "
        "unreachable."],
    "job": [
        "Victim received an unsolicited job offer on {ch} to rate hotels and products for commission. After two "
        "small payouts, the victim was told to 'top up' to unlock tasks and transferred {amount} in {n} "
        "transactions to {pay}."],
    "love": [
        "Victim met a person claiming to be a businessman working overseas on {ch}. After {weeks} weeks of daily "
        "chats, the suspect asked for help with customs fees for a parcel of gifts. Victim sent {amount} to "
        "{pay}."],
    "parcel": [
        "Victim received an SMS about an undelivered parcel and paid a small redelivery fee on a linked website. "
        "The card details were then used for unauthorised transactions totalling {amount}."],
    "impersonation_police": [
        "Victim received a call from a person claiming to be from {org}, alleging that the victim's identity was "
        "used in a money-laundering case. Victim was instructed to transfer {amount} to {pay} as a 'safety "
        "account'."],
    "impersonation_bank": [
        "Caller claiming to be from the victim's bank fraud team said the card had been compromised. The victim "
        "disclosed an OTP and {amount} was transferred out to {pay}."],
    "phishing": [
        "Victim clicked a link received via {ch} leading to a look-alike banking page and entered credentials "
        "and an OTP. {n} unauthorised transfers totalling {amount} followed."],
    "ecommerce": [
        "Victim bought concert tickets from a seller on {ch} and paid {amount} to {pay}. No tickets were "
        "received and the seller's account was deleted."],
    "loan": [
        "Victim applied for a quick loan via the {app} app and was asked to pay processing and insurance fees of "
        "{amount} to {pay}. No loan was disbursed."],
    "crypto_investment": [
        "Victim was introduced to the '{app}' crypto platform by an online contact on {ch}. The victim bought "
        "USDT and sent {amount} to the wallet provided. The account showed large gains but withdrawals were "
        "blocked.",
        "Victim was befriended on {ch} by a person who shared screenshots of trading profits on '{app}'. Over "
        "{weeks} weeks the victim made {n} deposits totalling {amount}. A 'release fee' was demanded to "
        "withdraw."],
    "sextortion": [
        "Victim was lured into an intimate video call on {ch}. The suspect then threatened to send the recording "
        "to the victim's contacts unless {amount} was paid to {pay}."],
}
T["id"] = {
    "investment": [
        "Korban diajak bergabung dalam grup {ch} investasi '{app}' dengan janji keuntungan 5% per hari. Korban "
        "melakukan {n} kali transfer dengan total {amount} ke {pay}. Saat ingin menarik dana, korban diminta "
        "membayar pajak dan akun diblokir."],
    "job": [
        "Korban mendapat tawaran kerja paruh waktu melalui {ch} untuk memberi like dan ulasan. Setelah menerima "
        "komisi kecil, korban diminta menyelesaikan 'misi' dengan deposit hingga total {amount} ke {pay}."],
    "love": [
        "Korban berkenalan dengan seseorang yang mengaku tentara asing melalui {ch}. Setelah {weeks} minggu, "
        "pelaku meminta uang untuk biaya pengiriman paket hadiah. Korban mentransfer {amount} ke {pay}."],
    "parcel": [
        "Korban menerima pesan berisi file APK yang mengaku sebagai resi paket. Setelah dipasang, aplikasi "
        "membaca SMS OTP dan saldo rekening sebesar {amount} terkuras."],
    "impersonation_police": [
        "Pelaku menelepon mengaku petugas {org} dan menyatakan rekening korban terkait kasus narkoba. Korban "
        "diminta mentransfer {amount} ke {pay} untuk verifikasi."],
    "impersonation_bank": [
        "Pelaku mengaku customer service bank melalui {ch} dan menawarkan perubahan tarif transfer. Korban "
        "mengisi data pada tautan palsu dan kehilangan {amount}."],
    "phishing": [
        "Korban menerima undangan pernikahan digital dalam bentuk APK via {ch}. Setelah dibuka, terjadi {n} "
        "transaksi tidak sah sebesar {amount} dari rekening korban."],
    "ecommerce": [
        "Korban membeli barang di toko online palsu melalui {ch} dan membayar {amount} ke {pay}. Barang tidak "
        "pernah dikirim."],
    "loan": [
        "Korban mengajukan pinjaman online ilegal melalui aplikasi {app}. Korban diminta biaya administrasi "
        "{amount} ke {pay}, kemudian data kontak korban disebar dan korban diteror penagih."],
    "crypto_investment": [
        "Korban diajak trading aset kripto di platform {app} oleh kenalan dari {ch}. Korban membeli USDT dan "
        "mengirim {amount} ke dompet pelaku. Dana tidak dapat ditarik."],
    "sextortion": [
        "Korban diajak video call oleh akun {ch} tidak dikenal, kemudian diancam rekamannya disebarkan jika tidak "
        "membayar {amount} ke {pay}."],
}
T["vi"] = {
    "investment": [
        "Nạn nhân được mời tham gia nhóm {ch} đầu tư '{app}' với lợi nhuận cao. Trong {weeks} tuần, nạn nhân "
        "chuyển {n} lần tổng cộng {amount} vào {pay}. Khi muốn rút tiền, nạn nhân bị yêu cầu nộp thêm phí và bị "
        "khóa tài khoản."],
    "job": [
        "Nạn nhân nhận lời mời làm cộng tác viên online qua {ch}, làm nhiệm vụ thả tim sản phẩm để nhận hoa hồng. "
        "Sau đó nạn nhân phải nạp tiền để làm 'nhiệm vụ' và đã chuyển {amount} vào {pay}."],
    "love": [
        "Nạn nhân quen một người tự xưng là kỹ sư làm việc ở nước ngoài qua {ch}. Sau {weeks} tuần, đối tượng nhờ "
        "nạn nhân nộp phí hải quan để nhận quà, tổng số tiền {amount} chuyển vào {pay}."],
    "parcel": [
        "Nạn nhân nhận tin nhắn báo bưu kiện bị giữ lại, phải thanh toán phí qua đường link. Sau khi nhập thông "
        "tin thẻ, tài khoản bị trừ {amount}."],
    "impersonation_police": [
        "Đối tượng gọi điện tự xưng là cán bộ {org}, thông báo nạn nhân liên quan đến đường dây rửa tiền và yêu "
        "cầu chuyển {amount} vào {pay} để 'xác minh'."],
    "impersonation_bank": [
        "Đối tượng giả danh nhân viên ngân hàng gọi điện hướng dẫn nạn nhân nâng hạn mức thẻ và yêu cầu cung cấp "
        "mã OTP. Tài khoản nạn nhân bị chuyển đi {amount}."],
    "phishing": [
        "Nạn nhân bấm vào đường link giả mạo trang ngân hàng nhận qua {ch} và nhập mật khẩu, OTP. Ngay sau đó có "
        "{n} giao dịch không được phép với tổng số tiền {amount}."],
    "ecommerce": [
        "Nạn nhân mua hàng của người bán trên {ch} và chuyển khoản {amount} vào {pay}, nhưng không nhận được "
        "hàng."],
    "loan": [
        "Nạn nhân vay tiền qua ứng dụng {app}, bị yêu cầu đóng phí hồ sơ và phí bảo hiểm {amount} vào {pay} "
        "nhưng không được giải ngân."],
    "crypto_investment": [
        "Nạn nhân được hướng dẫn mua USDT và gửi vào sàn '{app}', tổng cộng {amount}. Sàn hiển thị lãi lớn nhưng "
        "không thể rút tiền."],
    "sextortion": [
        "Nạn nhân bị dụ gọi video qua {ch}, sau đó bị đe dọa phát tán video nếu không chuyển {amount} vào {pay}."],
}
T["km"] = {
    "investment": [
        "ជនរងគ្រោះត្រូវបានអញ្ជើញឱ្យវិនិយោគលើវេទិកា {app} តាមរយៈ {ch} ដោយសន្យាថានឹងទទួលបានប្រាក់ចំណេញខ្ពស់។ "
        "ជនរងគ្រោះបានផ្ទេរប្រាក់ចំនួន {n} ដង សរុប {amount} ទៅកាន់ {pay}។ នៅពេលចង់ដកប្រាក់ "
        "ត្រូវបានទាមទារឱ្យបង់ថ្លៃបន្ថែម។"],
    "job": [
        "ជនរងគ្រោះទទួលបានការផ្តល់ការងារក្រៅម៉ោងតាមអនឡាញតាមរយៈ {ch}។ បន្ទាប់ពីទទួលបានកម្រៃតិចតួច "
        "ត្រូវបានគេឱ្យដាក់ប្រាក់ដើម្បីបំពេញភារកិច្ច សរុប {amount} ទៅកាន់ {pay}។"],
    "love": [
        "ជនរងគ្រោះបានស្គាល់បុរសម្នាក់តាម {ch} ដែលអះអាងថាធ្វើការនៅបរទេស។ ក្រោយ {weeks} សប្តាហ៍ "
        "ជនសង្ស័យបានសុំប្រាក់ {amount} សម្រាប់ថ្លៃគយកញ្ចប់អំណោយ ដោយផ្ទេរទៅ {pay}។"],
    "parcel": [
        "ជនរងគ្រោះទទួលបានសារ SMS ថាកញ្ចប់ឥវ៉ាន់ត្រូវបានឃាត់ទុក ហើយត្រូវបង់ថ្លៃដឹកជញ្ជូនតាមតំណភ្ជាប់។ "
        "បន្ទាប់មកគណនីត្រូវបានកាត់ប្រាក់ {amount}។"],
    "impersonation_police": [
        "ជនសង្ស័យបានទូរស័ព្ទមកអះអាងថាជាមន្ត្រី{org} ហើយប្រាប់ថាគណនីរបស់ជនរងគ្រោះពាក់ព័ន្ធនឹងការលាងលុយកខ្វក់។ "
        "ជនរងគ្រោះត្រូវបានបញ្ជាឱ្យផ្ទេរ {amount} ទៅកាន់ {pay}។"],
    "impersonation_bank": [
        "ជនសង្ស័យក្លែងខ្លួនជាបុគ្គលិកធនាគារ ហើយសុំលេខកូដ OTP ពីជនរងគ្រោះ។ ប្រាក់ចំនួន {amount} "
        "ត្រូវបានផ្ទេរចេញទៅ {pay}។"],
    "phishing": [
        "ជនរងគ្រោះបានចុចតំណភ្ជាប់ក្លែងក្លាយដែលទទួលបានតាម {ch} ហើយបញ្ចូលពាក្យសម្ងាត់។ "
        "មានប្រតិបត្តិការ {n} ដងដោយគ្មានការអនុញ្ញាត សរុប {amount}។"],
    "ecommerce": [
        "ជនរងគ្រោះបានទិញទំនិញពីហាងអនឡាញលើ {ch} ហើយបានបង់ {amount} ទៅកាន់ {pay} ប៉ុន្តែមិនបានទទួលទំនិញទេ។"],
    "loan": [
        "ជនរងគ្រោះបានស្នើសុំប្រាក់កម្ចីតាមកម្មវិធី {app} ហើយត្រូវបង់ថ្លៃសេវា {amount} ទៅកាន់ {pay} "
        "ប៉ុន្តែមិនបានទទួលប្រាក់កម្ចីទេ។"],
    "crypto_investment": [
        "ជនរងគ្រោះត្រូវបានណែនាំឱ្យទិញ USDT ហើយផ្ញើ {amount} ទៅកាបូបឌីជីថលរបស់វេទិកា {app}។ "
        "មិនអាចដកប្រាក់វិញបានទេ។"],
    "sextortion": [
        "ជនរងគ្រោះត្រូវបានគេបញ្ឆោតឱ្យហៅវីដេអូតាម {ch} បន្ទាប់មកត្រូវបានគំរាមថានឹងផ្សព្វផ្សាយវីដេអូ "
        "ប្រសិនបើមិនផ្ទេរ {amount} ទៅ {pay}។"],
}
T["tl"] = {
    "investment": [
        "Na-invite ang biktima sa isang {ch} group ng '{app}' na nangangakong 20% na tubo kada linggo. "
        "Nakapagpadala siya ng {n} beses, kabuuang {amount}, sa {pay}. Nang mag-withdraw, pinagbayad pa siya "
        "ng 'tax' at na-block na."],
    "job": [
        "Inalok ang biktima ng online part-time job sa {ch} na mag-like at mag-review ng produkto. Matapos "
        "makatanggap ng maliit na komisyon, pinag-deposit siya para sa 'tasks' at nawalan ng {amount} na "
        "ipinadala sa {pay}."],
    "love": [
        "Nakilala ng biktima sa {ch} ang isang lalaking nagpakilalang seaman. Pagkatapos ng {weeks} linggo, "
        "humingi ito ng pera para sa customs fee ng padalang regalo. Nagpadala ang biktima ng {amount} sa {pay}."],
    "parcel": [
        "Nakatanggap ang biktima ng text na may naka-hold na parcel at kailangang magbayad ng delivery fee sa "
        "link. Matapos ilagay ang card details, na-charge siya ng {amount}."],
    "impersonation_police": [
        "Tumawag ang suspek na nagpakilalang taga-{org} at sinabing sangkot ang biktima sa money laundering. "
        "Pinag-transfer siya ng {amount} sa {pay} para raw sa imbestigasyon."],
    "impersonation_bank": [
        "Nagpanggap na bank representative ang suspek at hiningi ang OTP ng biktima para raw i-verify ang "
        "account. Nawalan ang biktima ng {amount}."],
    "phishing": [
        "Nag-click ang biktima sa link na natanggap sa {ch} na kamukha ng login page ng e-wallet at inilagay ang "
        "MPIN at OTP. {n} unauthorized na transaksyon, kabuuang {amount}, ang sumunod."],
    "ecommerce": [
        "Bumili ang biktima ng cellphone sa isang seller sa {ch} at nagbayad ng {amount} sa {pay}. Hindi dumating "
        "ang item at na-block siya ng seller."],
    "loan": [
        "Nag-apply ang biktima ng loan sa {app} app at pinagbayad ng processing fee na {amount} sa {pay}. Walang "
        "loan na dumating at hina-harass pa ang kanyang mga contact."],
    "crypto_investment": [
        "Inengganyo ang biktima ng kakilala sa {ch} na mag-trade ng crypto sa '{app}'. Bumili siya ng USDT at "
        "nagpadala ng {amount} sa wallet na ibinigay. Hindi na siya maka-withdraw."],
    "sextortion": [
        "Niyaya ang biktima sa video call sa {ch}, pagkatapos ay tinakot na ikakalat ang video kung hindi "
        "magbabayad ng {amount} sa {pay}."],
}
LANGS = {"MY": [("ms", 80), ("en", 20)], "TH": [("th", 100)], "SG": [("en", 100)], "ID": [("id", 100)],
         "PH": [("tl", 60), ("en", 40)], "VN": [("vi", 100)], "KH": [("km", 100)], "GB": [("en", 100)]}
POLICE_ORG = {
    ("ms", "MY"): ["PDRM Bukit Aman", "Jabatan Siasatan Jenayah Komersial"],
    ("en", "MY"): ["the police in Bukit Aman", "Bank Negara Malaysia"],
    ("th", "TH"): ["ตำรวจสอบสวนกลาง", "สำนักงานป้องกันและปราบปรามการฟอกเงิน", "ตำรวจสถานีภูธร"],
    ("en", "SG"): ["the Singapore Police Force", "the Monetary Authority of Singapore"],
    ("en", "GB"): ["the Metropolitan Police", "HMRC"],
    ("id", "ID"): ["Polda Metro Jaya", "Bareskrim Polri"],
    ("vi", "VN"): ["Công an TP. Hà Nội", "Viện Kiểm sát"],
    ("km", "KH"): ["នគរបាលជាតិ", "ក្រសួងមហាផ្ទៃ"],
    ("tl", "PH"): ["NBI", "PNP"],
    ("en", "PH"): ["the NBI", "the PNP"],
}
PAY_BANK = {"ms": "akaun {bank}", "th": "บัญชีธนาคาร{bank}", "en": "a {bank} account", "id": "rekening {bank}",
            "vi": "tài khoản {bank}", "km": "គណនី {bank}", "tl": "isang {bank} account"}
PAY_WALLET = {"ms": "e-dompet {bank}", "th": "วอลเล็ต {bank}", "en": "a {bank} wallet",
              "id": "dompet digital {bank}", "vi": "ví {bank}", "km": "កាបូប {bank}", "tl": "{bank} account"}
PAY_CRYPTO = {"ms": "dompet kripto USDT", "th": "กระเป๋าคริปโต USDT", "en": "a USDT wallet",
              "id": "dompet kripto USDT", "vi": "ví USDT", "km": "កាបូប USDT", "tl": "USDT wallet"}


def fmt_amount(cc, lang, minor):
    cur, exp = CURRENCY[cc]
    major = minor // (10 ** exp)
    g = "{:,}".format(major)
    if cc == "MY":
        return "RM" + g
    if cc == "TH":
        return g + " บาท" if lang == "th" else "THB " + g
    if cc == "SG":
        return "S$" + g
    if cc == "ID":
        return "Rp " + g.replace(",", ".")
    if cc == "PH":
        return "₱" + g
    if cc == "VN":
        return g.replace(",", ".") + " đồng"
    if cc == "KH":
        return g + " រៀល" if lang == "km" else "KHR " + g
    if cc == "GB":
        return "£" + g
    return cur + " " + g


# --------------------------------------------------------------------------------------
# Operations: cross-border networks that reuse a pool of selectors
# --------------------------------------------------------------------------------------

# Fixed, seed-independent featured selectors (docs/demo.md names them).
HEADLINE_ACCOUNT = ("MY", "MBBEMYKL", "514022178863")       # Maybank, shown as 5140 2217 8863
MYTH_PHONE = ("MY", "174823315")                            # +60 17-482 3315
SILENT_PHONE = ("KH", "92684203")                           # +855 92 684 203

# Each pool entry: (kind, arg, count). Kinds: phone CC, bank CC, ewallet provider, trc20/evm/btc,
# url TLD (a domain with URLs under it), handle platform, email, ip.
OPERATIONS = [
    dict(name="GOLDEN-HARVEST", brand="GH Capital", words=["goldharvest", "gh-capital", "ghfx"],
         types=[("investment", 70), ("crypto_investment", 30)], size=85,
         victims={"MY": 30, "TH": 34, "SG": 18, "ID": 18}, window=(0, 182), ch="WhatsApp",
         pool=[("bank", "MY", 4), ("bank", "TH", 3), ("bank", "ID", 1), ("phone", "MY", 2), ("phone", "TH", 2),
               ("phone", "KH", 2), ("handle", "telegram", 3), ("handle", "line", 1), ("url", "top", 1),
               ("url", "com", 1), ("trc20", None, 2), ("email", None, 1)],
         private=[("MY-BANK1", 2)], headline=True),
    dict(name="PARCEL-SMISH", brand="SwiftPos", words=["poslaju-track", "parcel-redeliver", "kerry-th-track"],
         types=[("parcel", 80), ("phishing", 20)], size=16, victims={"MY": 45, "SG": 25, "TH": 30},
         window=(20, 140), ch="SMS",
         pool=[("url", "com.my", 1), ("url", "top", 2), ("url", "co.th", 1), ("ip", None, 2), ("phone", "MY", 2),
               ("phone", "TH", 1), ("bank", "MY", 2)],
         private=[("MY-BANK1", 1), ("TH-TELCO1", 1)]),
    dict(name="TASK-RATING", brand="StarTask", words=["startask", "rate4pay"],
         types=[("job", 100)], size=18, victims={"MY": 20, "ID": 25, "PH": 25, "SG": 15, "VN": 15},
         window=(30, 182), ch="Telegram",
         pool=[("handle", "telegram", 3), ("bank", "ID", 2), ("bank", "MY", 1), ("bank", "PH", 1),
               ("ewallet", "gcash", 1), ("ewallet", "dana", 1), ("url", "xyz", 1), ("trc20", None, 1)]),
    dict(name="COMPOUND-ROMANCE", brand="", words=["lovematch-asia"],
         types=[("love", 70), ("sextortion", 30)], size=12, victims={"PH": 30, "MY": 25, "TH": 25, "GB": 20},
         window=(40, 182), ch="Facebook",
         pool=[("phone", "KH", 2), ("handle", "telegram", 1), ("handle", "facebook", 2), ("handle", "instagram", 1),
               ("evm", None, 1), ("bank", "TH", 1), ("ewallet", "gcash", 1)],
         private=[("SG-PLATFORM1", 1)], silent=True),
    dict(name="FAKE-POLICE-CALL", brand="", words=["semakan-kes"],
         types=[("impersonation_police", 100)], size=12, victims={"MY": 70, "SG": 30},
         window=(0, 120), ch="WhatsApp",
         pool=[("phone", "MY", 3), ("bank", "MY", 3), ("url", "com", 1)],
         private=[("MY-BANK1", 1)]),
    dict(name="BANK-OTP", brand="", words=["kbank-secure", "scb-verify"],
         types=[("impersonation_bank", 60), ("phishing", 40)], size=10, victims={"TH": 80, "MY": 20},
         window=(60, 182), ch="LINE",
         pool=[("phone", "TH", 2), ("url", "net", 2), ("bank", "TH", 2), ("handle", "line", 1), ("ip", None, 1)],
         private=[("TH-TELCO1", 2)]),
    dict(name="PIG-BUTCHER-UK", brand="Nova Coin Exchange", words=["novacoinex", "nova-cx"],
         types=[("crypto_investment", 100)], size=12, victims={"GB": 50, "SG": 30, "MY": 20},
         window=(0, 182), ch="WhatsApp",
         pool=[("evm", None, 2), ("trc20", None, 1), ("url", "com", 1), ("url", "vip", 1), ("phone", "PH", 1),
               ("phone", "KH", 1), ("handle", "telegram", 1), ("email", None, 1)]),
    dict(name="LOAN-APP", brand="DanaKilat", words=["danakilat", "pinjam-cepat"],
         types=[("loan", 100)], size=10, victims={"ID": 60, "PH": 25, "MY": 15},
         window=(10, 150), ch="WhatsApp",
         pool=[("url", "xyz", 2), ("phone", "ID", 2), ("ewallet", "dana", 1), ("ewallet", "gcash", 1),
               ("bank", "ID", 2)]),
    dict(name="FAKE-SHOP", brand="", words=["gadgetmurah", "tix-resale"],
         types=[("ecommerce", 100)], size=10, victims={"SG": 40, "MY": 35, "PH": 25},
         window=(50, 182), ch="Facebook",
         pool=[("handle", "facebook", 2), ("handle", "instagram", 1), ("bank", "SG", 1), ("bank", "MY", 1),
               ("ewallet", "grabpay", 1), ("ewallet", "tng", 1)],
         private=[("SG-PLATFORM1", 2), ("MY-BANK1", 1)]),
    dict(name="VN-INVEST-APP", brand="VinaProfit", words=["vinaprofit", "vn-invest"],
         types=[("investment", 100)], size=9, victims={"VN": 60, "KH": 20, "TH": 20},
         window=(30, 182), ch="Zalo",
         pool=[("url", "net", 2), ("bank", "VN", 3), ("phone", "VN", 2), ("ewallet", "momo", 1)]),
    dict(name="SIM-FARM-TH", brand="", words=["th-refund", "egat-bill"],
         types=[("phishing", 70), ("impersonation_bank", 30)], size=8, victims={"TH": 100},
         window=(90, 182), ch="SMS",
         pool=[("phone", "TH", 4), ("url", "co.th", 1), ("url", "top", 1), ("ewallet", "truemoney", 1)],
         private=[("TH-TELCO1", 2)]),
    dict(name="GCASH-PHISH", brand="", words=["gcash-rewards", "gc-verify"],
         types=[("phishing", 100)], size=8, victims={"PH": 80, "SG": 20},
         window=(20, 182), ch="SMS",
         pool=[("ewallet", "gcash", 2), ("url", "top", 2), ("phone", "PH", 2), ("ip", None, 1)]),
    dict(name="APK-WEDDING", brand="", words=["undangan-digital"],
         types=[("phishing", 100)], size=8, victims={"ID": 80, "MY": 20},
         window=(0, 100), ch="WhatsApp",
         pool=[("phone", "ID", 2), ("url", "com", 1), ("bank", "ID", 1)]),
    dict(name="RECOVERY-SCAM", brand="Asset Recovery Bureau", words=["fundrecovery-asia"],
         types=[("crypto_investment", 100)], size=6, victims={"GB": 40, "SG": 30, "MY": 30},
         window=(100, 182), ch="email",
         pool=[("email", None, 2), ("url", "net", 1), ("evm", None, 1)], bridge="PIG-BUTCHER-UK"),
    dict(name="SEXTORTION-IG", brand="", words=[],
         types=[("sextortion", 100)], size=6, victims={"SG": 40, "MY": 30, "PH": 30},
         window=(0, 182), ch="Instagram",
         pool=[("handle", "instagram", 2), ("ewallet", "gcash", 1), ("phone", "PH", 1)],
         private=[("SG-PLATFORM1", 1)]),
]

NOISE_VICTIMS = {"MY": 22, "TH": 24, "SG": 14, "ID": 12, "PH": 12, "VN": 7, "KH": 4, "GB": 5}
NOISE_PRIVATE = [("MY-BANK1", 4), ("TH-TELCO1", 2), ("SG-PLATFORM1", 2)]
NOISE_TYPES = [("investment", 14), ("job", 14), ("love", 8), ("parcel", 9), ("impersonation_police", 8),
               ("impersonation_bank", 8), ("phishing", 12), ("ecommerce", 14), ("loan", 5),
               ("crypto_investment", 5), ("sextortion", 3)]
BRANDS = ["Apex Wealth", "Lotus Trade", "BlueOcean FX", "Mega Rebate", "QuickCash", "Orchid Invest",
          "Sakura Pay", "Harimau Capital", "Mekong Fund", "Pearl Jobs", "RinggitPro", "Sabai Loan"]
WORDS = ["asia", "trade", "win", "pro", "vip", "bonus", "secure", "verify", "gold", "fund", "rebate", "pay",
         "care", "track", "promo", "lucky", "smart", "prime", "global", "royal", "mega", "star"]
TLDS = ["com", "net", "top", "xyz", "vip", "cc", "shop", "com.my", "co.th", "online", "site"]
URL_PATHS = ["/login", "/member/login", "/m/index.html#/", "/track?id={n}", "/register?ref={n}",
             "/app/download", "/v/{n}", "/pay/confirm", "/verify/account", "/invest/plan-{n}", "/"]


def wpick(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


# --------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------

class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.keys = set()          # every canonical key generated, for uniqueness

    # --- entities: dicts with "kind" and a canonical "key" (what the server should derive)
    def _unique(self, make):
        for _ in range(1000):
            e = make()
            if e["key"] not in self.keys:
                self.keys.add(e["key"])
                return e
        raise RuntimeError("could not generate a unique selector")

    def phone(self, cc, nsn=None):
        rng = self.rng

        def make():
            n = nsn
            if n is None:
                pre, k = rng.choice(MOBILE[cc])
                n = pre + "".join(rng.choice("0123456789") for _ in range(k))
            return {"kind": "phone", "cc": cc, "nsn": n, "key": "phone:+%s%s" % (CC_DIAL[cc], n)}
        if nsn is not None:
            e = make()
            self.keys.add(e["key"])
            return e
        return self._unique(make)

    def bank(self, cc, fixed=None):
        rng = self.rng

        def make():
            if fixed:
                bic, digits = fixed[1], fixed[2]
                b = next(b for b in BANKS[cc] if b[0] == bic)
            else:
                b = rng.choice(BANKS[cc])
                bic = b[0]
                digits = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(b[2] - 1))
            return {"kind": "bank_account", "cc": cc, "bic": bic, "digits": digits, "groups": b[3],
                    "key": "bank_account:%s:%s:%s" % (cc, bic, digits)}
        if fixed:
            e = make()
            self.keys.add(e["key"])
            return e
        return self._unique(make)

    def ewallet(self, provider):
        rng = self.rng
        cc = EWALLETS[provider][1]

        def make():
            pre, k = rng.choice(MOBILE[cc])
            wid = ("0" if cc != "SG" else "") + pre + "".join(rng.choice("0123456789") for _ in range(k))
            return {"kind": "ewallet", "provider": provider, "id": wid, "key": "ewallet:%s:%s" % (provider, wid)}
        return self._unique(make)

    def crypto(self, chain):
        rng = self.rng

        def make():
            body = bytes(rng.randrange(256) for _ in range(20))
            if chain == "trx":
                addr = b58check(b"\x41" + body)
                key = "crypto:trx:" + addr
            elif chain == "btc":
                addr = b58check(b"\x00" + body)
                key = "crypto:btc:" + addr
            else:
                addr = "0x" + body.hex()
                key = "crypto:eth:" + addr
            return {"kind": "crypto", "chain": chain, "addr": addr, "key": key}
        return self._unique(make)

    def domain(self, words, tld):
        rng = self.rng

        def make():
            base = rng.choice(words) if words and rng.random() < 0.8 else "-".join(rng.sample(WORDS, 2))
            # always a number: keeps the names away from real, registered domains
            base += str(rng.choice([1, 7, 8, 9, 24, 66, 77, 88, 99, 168, 365, 888]))
            t = tld or rng.choice(TLDS)
            host = base + "." + t
            if rng.random() < 0.25:
                host = rng.choice(["m.", "app.", "www.", "my.", "secure."]) + host
            return {"kind": "domain", "host": host, "key": "domain:" + host}
        return self._unique(make)

    def url(self, dom):
        rng = self.rng

        def make():
            p = rng.choice(URL_PATHS).replace("{n}", str(rng.randint(1000, 99999)))
            scheme = "https" if rng.random() < 0.8 else "http"
            frag = p.find("#")
            keyp = p if frag < 0 else p[:frag]
            return {"kind": "url", "host": dom["host"], "scheme": scheme, "path": p, "dom": dom,
                    "key": "url:%s://%s%s" % (scheme, dom["host"], keyp)}
        return self._unique(make)

    def handle(self, platform, words):
        rng = self.rng
        stems = ["cs", "admin", "mentor", "support", "vip", "official", "service", "hr", "manager", "teacher"]
        names = ["anna", "mei", "lina", "kevin", "jessie", "alan", "vivian", "ryan", "sara", "leo", "nina",
                 "amy", "ken", "joy", "mika", "tony"]

        def make():
            w = (rng.choice(words).replace("-", "") if words and rng.random() < 0.5 else rng.choice(names))
            parts = [w, rng.choice(stems)]
            rng.shuffle(parts)
            h = "_".join(parts) + str(rng.randint(1, 999))
            if platform == "telegram":
                h = h[0].upper() + h[1:] if rng.random() < 0.5 else h
                val = "@" + h
                key = "handle:telegram:" + h.lower()
            elif platform == "line":
                h = h.replace("_", ".")
                val = "@" + h if rng.random() < 0.5 else h
                key = "handle:line:" + h.lower()
            elif platform == "facebook":
                h = h.replace("_", ".")
                val = "https://www.facebook.com/" + h if rng.random() < 0.3 else h
                key = "handle:facebook:" + h.lower()
            else:
                val = "@" + h
                key = "handle:%s:%s" % (platform, h.lower())
            return {"kind": "handle", "platform": platform, "value": val, "key": key}
        return self._unique(make)

    def email(self, dom=None):
        rng = self.rng

        def make():
            local = rng.choice(["support", "cs", "admin", "service", "recovery", "hr.asia", "claims", "help"])
            if dom is not None:
                host = dom["host"].split(".", 1)[1] if dom["host"].startswith(("m.", "app.", "www.", "my.",
                                                                                "secure.")) else dom["host"]
            else:
                local += "." + rng.choice(WORDS) + str(rng.randint(10, 999))
                host = rng.choice(["gmail.com", "outlook.com", "proton.me", "yahoo.com"])
            return {"kind": "email", "value": "%s@%s" % (local, host), "key": "email:%s@%s" % (local, host)}
        return self._unique(make)

    def ip(self):
        rng = self.rng

        def make():
            net = rng.choice(["192.0.2.", "198.51.100.", "203.0.113."])  # documentation ranges
            a = net + str(rng.randint(2, 254))
            return {"kind": "ip", "value": a, "key": "ip:" + a}
        return self._unique(make)

    # --- a selector as a reporter writes it
    def sel(self, e, reporter_cc, role=None):
        rng = self.rng
        k = e["kind"]
        if k == "phone":
            v, c = phone_format(rng, e["cc"], e["nsn"], reporter_cc)
            s = {"type": "phone", "value": v, "role": role or "scammer_contact"}
            if c:
                s["country"] = c
        elif k == "bank_account":
            d = e["digits"]
            style = rng.random()
            if style < 0.35:
                v = d
            elif style < 0.75:
                v = " ".join(split_groups(d, e["groups"]))
            else:
                v = "-".join(split_groups(d, e["groups"]))
            bic = e["bic"] + ("XXX" if rng.random() < 0.1 else "")
            s = {"type": "bank_account", "value": v, "country": e["cc"], "bank": bic,
                 "role": role or "mule_account"}
        elif k == "iban":
            v = e["iban"]
            v = " ".join(v[i:i + 4] for i in range(0, len(v), 4)) if rng.random() < 0.6 else v
            s = {"type": "iban", "value": v, "role": role or "victim_account"}
        elif k == "ewallet":
            s = {"type": "ewallet", "value": e["id"], "provider": e["provider"],
                 "role": role or "payment_destination"}
        elif k == "crypto":
            s = {"type": "crypto", "value": e["addr"], "role": role or "payment_destination"}
            if rng.random() < 0.6:
                s["chain"] = e["chain"]
        elif k == "url":
            host = e["host"]
            if rng.random() < 0.1:
                host = host.upper()
            s = {"type": "url", "value": "%s://%s%s" % (e["scheme"], host, e["path"]),
                 "role": role or "phishing_site"}
        elif k == "domain":
            s = {"type": "domain", "value": e["host"], "role": role or "phishing_site"}
        elif k == "handle":
            s = {"type": "handle", "value": e["value"], "platform": e["platform"],
                 "role": role or ("social_profile" if e["platform"] in ("facebook", "instagram", "tiktok")
                                  else "scammer_contact")}
        elif k == "email":
            s = {"type": "email", "value": e["value"], "role": role or "scammer_contact"}
        elif k == "ip":
            s = {"type": "ip", "value": e["value"], "role": role or "hosting"}
        else:
            raise ValueError(k)
        s["_key"] = e["key"]
        return s


def build_pool(g, op):
    pool = []
    for kind, arg, count in op["pool"]:
        for _ in range(count):
            if kind == "phone":
                pool.append(g.phone(arg))
            elif kind == "bank":
                pool.append(g.bank(arg))
            elif kind == "ewallet":
                pool.append(g.ewallet(arg))
            elif kind == "trc20":
                pool.append(g.crypto("trx"))
            elif kind == "evm":
                pool.append(g.crypto("eth"))
            elif kind == "btc":
                pool.append(g.crypto("btc"))
            elif kind == "url":
                d = g.domain(op["words"], arg)
                pool.append(g.url(d))
                pool.append(g.url(d))
            elif kind == "handle":
                pool.append(g.handle(arg, op["words"]))
            elif kind == "email":
                doms = [e["dom"] for e in pool if e["kind"] == "url"]
                pool.append(g.email(g.rng.choice(doms) if doms and g.rng.random() < 0.7 else None))
            elif kind == "ip":
                pool.append(g.ip())
    return pool


def rand_date(rng, lo, hi):
    lo = max(0, min(lo, 182))
    hi = max(lo, min(hi, 182))
    return START + dt.timedelta(days=rng.randint(lo, hi))


def report_dates(rng, occurred):
    delay = min(int(rng.expovariate(0.45)), 20)
    rep = min(occurred + dt.timedelta(days=delay), END)
    return occurred.isoformat(), rep.isoformat()


def loss_minor(rng, cc, scam_type):
    cur, exp = CURRENCY[cc]
    usd = MEDIAN_LOSS_USD[scam_type] * min(8.0, max(0.05, rng.lognormvariate(0, 0.8)))
    major = usd * PER_USD[cc]
    # round to a plausible figure: 2-3 significant digits
    if major >= 100:
        mag = 10 ** (len(str(int(major))) - 3)
        major = max(mag, int(round(major / mag)) * mag)
    else:
        major = max(1, int(round(major)))
    return int(major) * (10 ** exp)


def le_markings(rng, agency, country, others):
    r = rng.random()
    if agency == "UK-NCA":
        tlp = "GREEN" if r < 0.4 else "AMBER"
        rel = rng.choice([["ALL_LE"], ["ALL_LE"], ["MEMBERS"], ["ALL_LE", "PRIVATE"]])
        return {"tlp": tlp, "releasable_to": rel, "disclosure": "hit", "orcon": rng.random() < 0.2}
    orcon = rng.random() < 0.15
    disclosure = "silent" if rng.random() < 0.04 else "hit"
    if r < 0.06:
        return {"tlp": "CLEAR", "releasable_to": ["ALL_LE", "PRIVATE"], "disclosure": "hit", "orcon": False}
    if r < 0.38:
        rel = rng.choice([["MEMBERS"], ["ALL_LE"], ["MEMBERS", "PRIVATE"], ["ALL_LE", "PRIVATE"]])
        return {"tlp": "GREEN", "releasable_to": rel, "disclosure": disclosure, "orcon": orcon}
    if r < 0.91:
        rel = rng.choice([["MEMBERS"], ["MEMBERS"], ["MEMBERS"], ["MEMBERS"], ["ALL_LE"], [country],
                          ["MEMBERS", "UK-NCA"], [country, "PRIVATE"]])
        return {"tlp": "AMBER", "releasable_to": rel, "disclosure": disclosure, "orcon": orcon}
    if r < 0.96:
        return {"tlp": "AMBER+STRICT", "releasable_to": [country], "disclosure": disclosure, "orcon": True}
    named = sorted(rng.sample(others, 2))
    return {"tlp": "RED", "releasable_to": named, "disclosure": "silent" if rng.random() < 0.5 else "hit",
            "orcon": True}


def private_markings(rng, agency, country):
    if agency == "MY-BANK1":
        rel = rng.choice([["PRIVATE", "MY"], ["PRIVATE", "MY"], ["MY"], ["MY-NSRC", "MY-PDRM-CCID"]])
        return {"tlp": "AMBER", "releasable_to": rel, "disclosure": "hit", "orcon": rng.random() < 0.3}
    if agency == "TH-TELCO1":
        rel = rng.choice([["PRIVATE", "TH"], ["MEMBERS", "PRIVATE"]])
        return {"tlp": rng.choice(["GREEN", "AMBER"]), "releasable_to": rel, "disclosure": "hit", "orcon": False}
    return {"tlp": "GREEN", "releasable_to": ["ALL_LE", "PRIVATE"], "disclosure": "hit", "orcon": False}


VICTIM_OCC = ["retiree", "teacher", "clerk", "engineer", "student", "nurse", "business_owner", "civil_servant",
              "factory_worker", "homemaker", "driver", "sales"]


class Builder:
    def __init__(self, seed, n_reports):
        self.g = Gen(seed)
        self.rng = self.g.rng
        self.n_reports = n_reports
        self.reports = []       # dicts with "_agency", selectors with "_key"
        self.agency_country = {a[0]: a[1] for a in AGENCIES}
        self.le_agencies = [a[0] for a in AGENCIES if a[2] in ("police", "asc", "partner_le")]
        self.headline_key = self.g.bank("MY", HEADLINE_ACCOUNT)["key"]
        self.myth_key = self.g.phone(*MYTH_PHONE)["key"]
        self.silent_key = self.g.phone(*SILENT_PHONE)["key"]
        self.silent_ref = None

    def narrative(self, lang, cc, scam_type, sels, app, ch_default):
        rng = self.rng
        tpl = rng.choice(T[lang][scam_type])
        ch = ch_default
        for s in sels:
            if s["type"] == "handle":
                ch = PLATFORM_NAME.get(s["platform"], ch)
                break
        pay = None
        for s in sels:
            if s["type"] == "bank_account" and s.get("role") == "mule_account":
                bic = s["bank"][:8]
                name = BANK_NAME_TH.get(bic, BANK_NAME[bic]) if lang == "th" else BANK_NAME[bic]
                pay = PAY_BANK[lang].format(bank=name)
                break
            if s["type"] == "ewallet":
                pay = PAY_WALLET[lang].format(bank=EWALLETS[s["provider"]][0])
                break
            if s["type"] == "crypto":
                pay = PAY_CRYPTO[lang]
                break
        if pay is None:
            bc = cc if cc in BANKS else rng.choice(["MY", "TH", "SG"])
            b = rng.choice(BANKS[bc])
            name = BANK_NAME_TH.get(b[0], b[1]) if lang == "th" else b[1]
            pay = PAY_BANK[lang].format(bank=name)
        if lang == "en" and pay.startswith("a ") and pay[2] in "AEIOU":
            pay = "an " + pay[2:]
        org = rng.choice(POLICE_ORG.get((lang, cc), POLICE_ORG.get((lang, {"ms": "MY", "th": "TH", "id": "ID",
                                                                        "vi": "VN", "km": "KH", "tl": "PH"}
                                                                        .get(lang, "SG")), ["the police"])))
        return tpl, dict(ch=ch, pay=pay, app=app or rng.choice(BRANDS), org=org,
                         n=rng.randint(2, 9), weeks=rng.randint(2, 12))

    def add_le_report(self, agency, victim_cc, scam_type, entities, app, ch, date=None, markings=None,
                      window=(0, 182), extra_victim_account=True):
        rng = self.rng
        rcc = self.agency_country[agency]
        sels = []
        for e in entities:
            sels.append(self.g.sel(e, rcc))
        # a victim's own account now and then (victim data; role victim_account)
        if extra_victim_account and rng.random() < 0.15:
            if victim_cc == "GB":
                ib = iban_gb(rng)
                e = {"kind": "iban", "iban": ib, "key": "iban:" + ib}
                self.g.keys.add(e["key"])
            elif victim_cc in BANKS:
                e = self.g.bank(victim_cc)
            else:
                e = None
            if e:
                sels.append(self.g.sel(e, rcc, role="victim_account"))
        # a URL's domain is sometimes listed too
        for s in list(sels):
            if s["type"] == "url" and rng.random() < 0.2:
                host = s["value"].split("://", 1)[1].split("/", 1)[0].lower()
                sels.append({"type": "domain", "value": host, "role": "phishing_site", "_key": "domain:" + host})
        lang = wpick(rng, LANGS[victim_cc]) if agency != "UK-NCA" else "en"
        tpl, var = self.narrative(lang, victim_cc, scam_type, sels, app, ch)
        occurred = date or rand_date(rng, *window)
        occ, rep = report_dates(rng, occurred)
        attempted = rng.random() < 0.05
        amount = loss_minor(rng, victim_cc, scam_type)
        var["amount"] = fmt_amount(victim_cc, lang, amount)
        if attempted:
            amount = 0
        narrative = tpl.format(**var)
        if attempted:
            narrative += {"ms": " Transaksi berjaya dihalang oleh bank.", "th": " ธนาคารระงับธุรกรรมได้ทัน",
                          "en": " The bank stopped the transfer in time.", "id": " Transaksi berhasil diblokir bank.",
                          "vi": " Ngân hàng đã kịp chặn giao dịch.", "km": " ធនាគារបានបញ្ឈប់ប្រតិបត្តិការទាន់ពេល។",
                          "tl": " Napigilan ng bangko ang transaksyon."}[lang]
        others = [a for a in self.le_agencies if a != agency]
        r = {
            "_agency": agency,
            "occurred_at": occ,
            "reported_at": rep,
            "scam_type": scam_type,
            "loss": {"amount": amount, "currency": CURRENCY[victim_cc][0]},
            "victim_country": victim_cc,
            "narrative": narrative,
            "status": wpick(rng, [("open", 55), ("investigating", 28), ("closed", 10), ("referred", 7)]),
            "selectors": sels,
            "markings": markings or le_markings(rng, agency, rcc, others),
        }
        if rng.random() < 0.5:
            r["victim"] = {"age": rng.randint(19, 78), "gender": rng.choice(["F", "M"]),
                           "occupation": rng.choice(VICTIM_OCC)}
        self.reports.append(r)
        return r

    def add_private_report(self, agency, entity, scam_type, date):
        rng = self.rng
        cc = self.agency_country[agency]
        n = rng.randint(3, 40)
        if agency == "MY-BANK1":
            narrative = ("Account flagged by transaction monitoring: %d inbound DuitNow/IBG transfers from unrelated "
                         "accounts within %d hours, balance moved out within minutes. Account opened %d days "
                         "earlier; holder suspected to be a recruited mule. Account frozen, STR filed."
                         % (n, rng.randint(2, 48), rng.randint(5, 120)))
            sels = [self.g.sel(entity, cc, role="mule_account")]
        elif agency == "TH-TELCO1":
            narrative = ("หมายเลขถูกระงับหลังได้รับการร้องเรียนจากผู้ใช้บริการ %d ครั้ง (โทรหลอกลวง/ส่ง SMS ลิงก์ปลอม) / "
                         "Number suspended after %d subscriber complaints of scam calls and smishing; SIM "
                         "registered with a borrowed identity." % (n, n))
            sels = [self.g.sel(entity, cc, role="scammer_contact")]
        else:
            narrative = ("Profile removed for fraud: fake account used to contact %d users with %s lures. Created "
                         "%d days before removal; linked payment details in the bio."
                         % (n, scam_type.replace("_", " "), rng.randint(3, 90)))
            sels = [self.g.sel(entity, cc, role="social_profile" if entity["kind"] == "handle"
                               else "scammer_contact")]
        occ, rep = report_dates(rng, date)
        r = {
            "_agency": agency,
            "occurred_at": occ,
            "reported_at": rep,
            "scam_type": scam_type,
            "victim_country": cc,
            "narrative": narrative,
            "status": "open",
            "selectors": sels,
            "markings": private_markings(rng, agency, cc),
        }
        self.reports.append(r)
        return r

    def run_operation(self, op, size, bridge_pool):
        rng = self.rng
        g = self.g
        pool = build_pool(g, op)
        bridge_ent = None
        if op.get("bridge") and op["bridge"] in bridge_pool:
            # the same group reuses one wallet: links two operations into one network
            donor = [e for e in bridge_pool[op["bridge"]] if e["kind"] == "crypto"]
            if donor:
                bridge_ent = donor[0]
        bridge_pool[op["name"]] = pool
        used = []
        strong = [e for e in pool]
        wlo, whi = op["window"]

        def pick(extra_min=0, exclude=()):
            chosen = []
            cand_used = [e for e in used if e["key"] not in exclude]
            if cand_used:
                chosen.append(rng.choice(cand_used))
            k = rng.choice([0, 1, 1, 2, 2, 3]) + extra_min
            for _ in range(k):
                e = rng.choice(strong)
                if e not in chosen:
                    chosen.append(e)
            if not chosen:
                chosen.append(rng.choice(strong))
            for e in chosen:
                if e not in used:
                    used.append(e)
            return chosen

        slots = []   # (victim_cc, agency or None, fixed entities, date, markings, forced)
        if op.get("headline"):
            acct = g.bank("MY", HEADLINE_ACCOUNT)
            near = lambda lo, hi: END - dt.timedelta(days=rng.randint(lo, hi))
            amber = lambda rel: {"tlp": "AMBER", "releasable_to": rel, "disclosure": "hit", "orcon": False}
            slots.append(("TH", "TH-AOC", [acct], near(14, 18), amber(["MEMBERS"])))
            slots.append(("TH", "TH-AOC", [acct], near(6, 9), amber(["MEMBERS"])))
            slots.append(("TH", "TH-CIB", [acct], near(3, 5), amber(["TH"])))
            slots.append(("SG", "SG-ASCOM", [acct], near(1, 2), amber(["MEMBERS", "UK-NCA"])))
            ph = g.phone(*MYTH_PHONE)
            for cc in ("MY", "MY", "MY", "TH", "TH", "TH"):
                slots.append((cc, None, [ph], None, {"tlp": "GREEN" if cc == "TH" else "AMBER",
                                                      "releasable_to": ["MEMBERS"], "disclosure": "hit",
                                                      "orcon": False}))
        silent_slot = None
        if op.get("silent"):
            sp = g.phone(*SILENT_PHONE)
            for cc in ("MY", "PH", "TH"):
                slots.append((cc, None, [sp], None, None))
            silent_slot = ("KH", "KH-NP", [sp], None,
                           {"tlp": "RED", "releasable_to": ["TH-CIB"], "disclosure": "silent",
                            "orcon": True})
        if bridge_ent is not None:
            for _ in range(2):
                slots.append((wpick(rng, list(op["victims"].items())), None, [bridge_ent], None, None))
        while len(slots) < size:
            slots.append((wpick(rng, list(op["victims"].items())), None, [], None, None))

        for cc, agency, fixed, date, mk in slots:
            agency = agency or wpick(rng, REPORTERS[cc])
            ents = list(fixed) + pick(exclude={self.headline_key, self.myth_key, self.silent_key})
            seen, uniq = set(), []
            for e in ents:
                if e["key"] not in seen:
                    seen.add(e["key"])
                    uniq.append(e)
            rng.shuffle(uniq)
            st = wpick(rng, op["types"])
            self.add_le_report(agency, cc, st, uniq, op["brand"], op["ch"], date=date, markings=mk,
                               window=(wlo, whi))
        if silent_slot:
            cc, agency, fixed, date, mk = silent_slot
            tg = ([e for e in used if e["kind"] == "handle" and e["platform"] == "telegram"] or
                  [e for e in pool if e["kind"] == "handle" and e["platform"] == "telegram"] or used)
            ents = list(fixed) + [tg[0]]
            rcc = "KH"
            sels = [g.sel(e, rcc) for e in ents]
            occ, rep = report_dates(rng, rand_date(rng, 150, 175))
            handle = next((s["value"] for s in sels if s["type"] == "handle"), "")
            r = {
                "_agency": agency,
                "occurred_at": occ,
                "reported_at": rep,
                "scam_type": "love",
                "victim_country": "KH",
                "narrative": ("ព័ត៌មានសម្ងាត់ពីពលករដែលត្រូវបានជួយសង្គ្រោះចេញពីអគារបោកប្រាស់មួយ។ "
                              "ក្រុមនេះប្រើលេខទូរស័ព្ទ និងគណនី Telegram %s ដើម្បីបោកប្រាស់ជនរងគ្រោះនៅ "
                              "ហ្វីលីពីន ម៉ាឡេស៊ី ថៃ និងចក្រភពអង់គ្លេស។ ការស៊ើបអង្កេតកំពុងដំណើរការ — "
                              "កុំទាក់ទងលេខនេះ។" % handle),
                "status": "investigating",
                "selectors": sels,
                "markings": mk,
            }
            self.reports.append(r)
            self.silent_ref = r
        # private-sector contributions: they name selectors already linked in this operation
        for agency, count in op.get("private", []):
            for _ in range(count):
                if agency == "MY-BANK1":
                    cands = [e for e in used if e["kind"] == "bank_account" and e["cc"] == "MY"
                             and e["key"] != self.headline_key]
                elif agency == "TH-TELCO1":
                    cands = [e for e in used if e["kind"] == "phone" and e["cc"] == "TH"]
                else:
                    cands = [e for e in used if e["kind"] == "handle"]
                if not cands:
                    continue
                st = wpick(rng, op["types"])
                self.add_private_report(agency, rng.choice(cands), st, rand_date(rng, wlo, whi))

    def noise_entities(self, scam_type, cc):
        rng, g = self.rng, self.g
        local_bank = lambda: g.bank(cc if cc in BANKS else rng.choice(["MY", "TH"]))
        local_phone = lambda: g.phone(cc if rng.random() < 0.75 else rng.choice(["MY", "TH", "KH", "PH", "VN"]))
        wallet = {"MY": "tng", "TH": "truemoney", "PH": "gcash", "ID": "dana", "VN": "momo", "KH": "wing",
                  "SG": "grabpay", "GB": None}.get(cc)
        ents = []
        if scam_type in ("investment", "crypto_investment"):
            d = g.domain(None, None)
            ents += [g.url(d), local_phone()]
            ents.append(g.crypto(rng.choice(["trx", "eth", "btc"])) if scam_type == "crypto_investment"
                        else local_bank())
            if rng.random() < 0.5:
                ents.append(g.handle(rng.choice(["telegram", "line"]), None))
        elif scam_type == "job":
            ents += [g.handle("telegram", None), local_bank()]
        elif scam_type in ("love", "sextortion"):
            ents += [g.handle(rng.choice(["facebook", "instagram", "tiktok"]), None)]
            ents.append(g.ewallet(wallet) if wallet and rng.random() < 0.4 else local_bank())
        elif scam_type in ("parcel", "phishing"):
            d = g.domain(None, rng.choice(TLDS))
            ents += [g.url(d), local_phone()]
            if rng.random() < 0.3:
                ents.append(g.ip())
        elif scam_type in ("impersonation_police", "impersonation_bank"):
            ents += [local_phone(), local_bank()]
        elif scam_type == "ecommerce":
            ents += [g.handle(rng.choice(["facebook", "instagram"]), None)]
            ents.append(g.ewallet(wallet) if wallet and rng.random() < 0.4 else local_bank())
        elif scam_type == "loan":
            d = g.domain(None, rng.choice(["xyz", "top", "online"]))
            ents += [g.url(d), local_phone()]
            if wallet:
                ents.append(g.ewallet(wallet))
        if rng.random() < 0.15:
            ents.append(g.email(None))
        return ents

    def build(self):
        rng = self.rng
        scale = self.n_reports / 350.0
        bridge = {}
        for op in OPERATIONS:
            size = max(12 if op.get("headline") else 3, int(round(op["size"] * scale)))
            self.run_operation(op, size, bridge)
        n_private = 0
        for agency, count in NOISE_PRIVATE:
            count = max(1, int(round(count * scale)))
            for _ in range(count):
                cc = self.agency_country[agency]
                if agency == "MY-BANK1":
                    e = self.g.bank("MY")
                    st = rng.choice(["job", "investment", "ecommerce", "love"])
                elif agency == "TH-TELCO1":
                    e = self.g.phone("TH")
                    st = rng.choice(["impersonation_police", "impersonation_bank", "phishing"])
                else:
                    e = self.g.handle(rng.choice(["facebook", "instagram"]), None)
                    st = rng.choice(["ecommerce", "love", "investment"])
                self.add_private_report(agency, e, st, rand_date(rng, 0, 182))
                n_private += 1
        while len(self.reports) < self.n_reports:
            cc = wpick(rng, list(NOISE_VICTIMS.items()))
            agency = wpick(rng, REPORTERS[cc])
            st = wpick(rng, NOISE_TYPES)
            self.add_le_report(agency, cc, st, self.noise_entities(st, cc), None,
                               rng.choice(["WhatsApp", "Facebook", "Telegram", "SMS"]))
        self.assign_references()

    def assign_references(self):
        rng = self.rng
        by_agency = {}
        for r in self.reports:
            by_agency.setdefault(r["_agency"], []).append(r)
        for agency, rs in sorted(by_agency.items()):
            rs.sort(key=lambda r: (r["reported_at"], r["occurred_at"], r["narrative"]))
            seq = rng.randint(1200, 30000)
            for r in rs:
                seq += rng.randint(1, 260)
                r["reference"] = "%s-%s-%06d" % (agency, r["reported_at"][:4], seq)


# --------------------------------------------------------------------------------------
# Output, statistics, self-check
# --------------------------------------------------------------------------------------

FIELD_ORDER = ["reference", "occurred_at", "reported_at", "scam_type", "loss", "victim_country", "narrative",
               "status", "selectors", "markings", "victim"]


def public_report(r):
    out = {}
    for f in FIELD_ORDER:
        if f in r:
            if f == "selectors":
                out[f] = [{k: v for k, v in s.items() if not k.startswith("_")} for s in r[f]]
            else:
                out[f] = r[f]
    return out


def stats(reports, agencies_by_id):
    """Shared-selector and network statistics over the canonical keys the generator assigned."""
    postings = {}
    for i, r in enumerate(reports):
        for s in r["selectors"]:
            postings.setdefault(s["_key"], set()).add(i)
    parent = list(range(len(reports)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for key, rs in postings.items():
        rs = sorted(rs)
        for j in rs[1:]:
            a, b = find(rs[0]), find(j)
            if a != b:
                parent[b] = a
    comps = {}
    for i in range(len(reports)):
        comps.setdefault(find(i), []).append(i)
    shared = {k: v for k, v in postings.items() if len({reports[i]["_agency"] for i in v}) > 1}
    cross_country = {k: v for k, v in postings.items()
                     if len({agencies_by_id[reports[i]["_agency"]]["country"] for i in v}) > 1}
    nets = [c for c in comps.values() if len(c) > 1]
    return postings, shared, cross_country, nets, find


def self_check(agencies, reports_by_agency):
    """Validate the output against the report contract. Returns a list of problems."""
    errs = []
    ids = {}
    for a in agencies:
        if set(a) != {"id", "country", "kind", "name"}:
            errs.append("agency %r: fields %s" % (a.get("id"), sorted(a)))
        aid = a.get("id", "")
        if not AGENCY_ID_RE.match(aid) or re.match(r"^[A-Za-z]{2}$", aid):
            errs.append("agency id %r invalid" % aid)
        if aid in ids:
            errs.append("agency id %r duplicated" % aid)
        if a.get("kind") not in KINDS:
            errs.append("agency %s: kind %r" % (aid, a.get("kind")))
        if not re.match(r"^[A-Z]{2}$", a.get("country", "")):
            errs.append("agency %s: country %r" % (aid, a.get("country")))
        ids[aid] = a
    required = {"MY-NSRC": ("asc", "MY"), "MY-PDRM-CCID": ("police", "MY"), "TH-AOC": ("asc", "TH"),
                "TH-CIB": ("police", "TH"), "SG-ASCOM": ("asc", "SG"), "ID-POLRI": ("police", "ID"),
                "PH-CICC": ("asc", "PH"), "VN-MPS": ("police", "VN"), "KH-NP": ("police", "KH"),
                "ASEANAPOL": ("secretariat", "MY"), "UK-NCA": ("partner_le", "GB"),
                "MY-BANK1": ("bank", "MY"), "TH-TELCO1": ("telco", "TH"), "SG-PLATFORM1": ("platform", "SG")}
    for aid, (kind, cc) in required.items():
        if aid not in ids or ids[aid]["kind"] != kind or ids[aid]["country"] != cc:
            errs.append("required agency %s (%s, %s) missing or wrong" % (aid, kind, cc))
    refs = set()
    total = 0
    headline = []
    myth = set()
    silent_seen = False
    key_agencies = {}
    silent_keys = []
    for aid, reps in reports_by_agency.items():
        if aid not in ids:
            errs.append("reports for unknown agency %s" % aid)
            continue
        kind = ids[aid]["kind"]
        if kind not in ("police", "asc", "partner_le", "bank", "telco", "platform"):
            errs.append("agency %s of kind %s files reports" % (aid, kind))
        for n, r in enumerate(reps):
            total += 1
            where = "%s line %d" % (aid, n + 1)
            extra = set(r) - REPORT_FIELDS
            if extra:
                errs.append("%s: fields not allowed %s" % (where, sorted(extra)))
            ref = r.get("reference", "")
            if not ref.startswith(aid + "-") or ref in refs:
                errs.append("%s: reference %r" % (where, ref))
            refs.add(ref)
            for f in ("occurred_at", "reported_at"):
                v = r.get(f, "")
                try:
                    d = dt.date.fromisoformat(v)
                    if not DATE_RE.match(v) or d < START or d > END:
                        errs.append("%s: %s %s outside %s..%s" % (where, f, v, START, END))
                except ValueError:
                    errs.append("%s: %s %r" % (where, f, v))
            if r.get("reported_at", "") < r.get("occurred_at", ""):
                errs.append("%s: reported before occurred" % where)
            if r.get("scam_type") not in SCAM_TYPES:
                errs.append("%s: scam_type %r" % (where, r.get("scam_type")))
            vc = r.get("victim_country")
            if vc not in CURRENCY:
                errs.append("%s: victim_country %r" % (where, vc))
            if "loss" in r:
                lo = r["loss"]
                if set(lo) != {"amount", "currency"} or not isinstance(lo["amount"], int) or lo["amount"] < 0:
                    errs.append("%s: loss %r" % (where, lo))
                elif vc in CURRENCY and lo["currency"] != CURRENCY[vc][0]:
                    errs.append("%s: currency %s for victim country %s" % (where, lo["currency"], vc))
            if not isinstance(r.get("narrative"), str) or len(r["narrative"]) < 40:
                errs.append("%s: narrative" % where)
            if not CODE_RE.match(r.get("status", "")):
                errs.append("%s: status %r" % (where, r.get("status")))
            if "victim" in r and not isinstance(r["victim"], dict):
                errs.append("%s: victim must be an object" % where)
            m = r.get("markings", {})
            if set(m) != {"tlp", "releasable_to", "disclosure", "orcon"}:
                errs.append("%s: markings fields %s" % (where, sorted(m)))
            if m.get("tlp") not in TLPS:
                errs.append("%s: tlp %r" % (where, m.get("tlp")))
            if m.get("disclosure") not in ("hit", "silent") or not isinstance(m.get("orcon"), bool):
                errs.append("%s: disclosure/orcon %r" % (where, m))
            for aud in m.get("releasable_to", []):
                if aud in ("MEMBERS", "ALL_LE", "PRIVATE") or re.match(r"^[A-Z]{2}$", aud) or aud in ids:
                    continue
                errs.append("%s: releasable_to %r" % (where, aud))
            sels = r.get("selectors", [])
            if not sels:
                errs.append("%s: no selectors" % where)
            for j, s in enumerate(sels):
                sw = "%s selectors[%d]" % (where, j)
                extra = set(s) - SELECTOR_FIELDS
                if extra:
                    errs.append("%s: fields not allowed %s" % (sw, sorted(extra)))
                t = s.get("type")
                if t not in SELECTOR_TYPES:
                    errs.append("%s: type %r" % (sw, t))
                if not isinstance(s.get("value"), str) or not s["value"].strip():
                    errs.append("%s: value" % sw)
                if "role" in s and not CODE_RE.match(s["role"]):
                    errs.append("%s: role %r" % (sw, s["role"]))
                if "country" in s and not re.match(r"^[A-Z]{2}$", s["country"]):
                    errs.append("%s: country %r" % (sw, s["country"]))
                key = canonical(s, ids[aid]["country"])
                if key is None:
                    errs.append("%s: value %r does not look like a %s" % (sw, s.get("value"), t))
                    continue
                key_agencies.setdefault(key, set()).add(aid)
                if key == "bank_account:%s:%s:%s" % HEADLINE_ACCOUNT:
                    headline.append((aid, r))
                if key == "phone:+60" + MYTH_PHONE[1]:
                    myth.add(ids[aid]["country"])
                if m.get("disclosure") == "silent":
                    silent_keys.append(key)
                    if key == "phone:+855" + SILENT_PHONE[1]:
                        silent_seen = True
    th = [a for a, _ in headline if ids[a]["country"] == "TH"]
    sg = [a for a, _ in headline if ids[a]["country"] == "SG"]
    if len(th) != 3 or len(sg) != 1 or len(headline) != 4:
        errs.append("headline account must be in exactly 3 Thai and 1 Singapore report (found %s)"
                    % [a for a, _ in headline])
    if not {"MY", "TH"} <= myth:
        errs.append("the MY/TH shared phone is not in both Malaysian and Thai reports (%s)" % sorted(myth))
    if not silent_seen or len(key_agencies.get("phone:+855" + SILENT_PHONE[1], ())) < 2:
        errs.append("the silent record example is missing or shares nothing")
    if total < 10:
        errs.append("only %d reports" % total)
    return errs


def canonical(s, reporter_cc):
    """An independent re-derivation of the canonical key from the written selector, so the
    check catches formats that would not normalise to what the generator intended."""
    t, v = s.get("type"), s.get("value", "").strip()
    if t == "phone":
        if v.startswith("+"):
            digits = re.sub(r"[ \-]", "", v[1:])
            if not digits.isdigit():
                return None
            for cc, dial in sorted(CC_DIAL.items(), key=lambda x: -len(x[1])):
                if digits.startswith(dial):
                    e164 = "+" + digits
                    return "phone:" + e164 if E164_RE[cc].match(e164) else None
            return None
        cc = s.get("country", reporter_cc)
        digits = re.sub(r"[ \-]", "", v)
        if not digits.isdigit():
            return None
        if cc != "SG":
            if not digits.startswith("0"):
                return None
            digits = digits[1:]
        e164 = "+" + CC_DIAL[cc] + digits
        return "phone:" + e164 if E164_RE[cc].match(e164) else None
    if t == "bank_account":
        digits = re.sub(r"[ \-]", "", v)
        bank = s.get("bank", "")
        if not digits.isdigit() or len(bank) not in (8, 11) or s.get("country") not in BANKS:
            return None
        return "bank_account:%s:%s:%s" % (s["country"], bank[:8], digits)
    if t == "iban":
        return "iban:" + v.replace(" ", "") if iban_ok(v) else None
    if t == "ewallet":
        return "ewallet:%s:%s" % (s["provider"], v) if s.get("provider") in EWALLETS and v.isdigit() else None
    if t == "crypto":
        if re.match(r"^0x[0-9a-f]{40}$", v):
            return "crypto:eth:" + v
        if re.match(r"^T[1-9A-HJ-NP-Za-km-z]{33}$", v):
            return "crypto:trx:" + v
        if re.match(r"^1[1-9A-HJ-NP-Za-km-z]{25,33}$", v):
            return "crypto:btc:" + v
        return None
    if t == "url":
        mm = re.match(r"^(https?)://([^/]+)(/[^#]*)?(#.*)?$", v, re.I)
        if not mm:
            return None
        return "url:%s://%s%s" % (mm.group(1).lower(), mm.group(2).lower(), mm.group(3) or "/")
    if t == "domain":
        return "domain:" + v.lower() if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}$", v.lower()) else None
    if t == "email":
        return "email:" + v if re.match(r"^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$", v) else None
    if t == "ip":
        return "ip:" + v if re.match(r"^\d+\.\d+\.\d+\.\d+$", v) else None
    if t == "handle":
        p = s.get("platform")
        h = v
        if h.startswith("https://www.facebook.com/"):
            h = h[len("https://www.facebook.com/"):]
        h = h.lstrip("@")
        return "handle:%s:%s" % (p, h.lower()) if p in PLATFORM_NAME and h else None
    return None


def load(out):
    with open(os.path.join(out, "agencies.json"), encoding="utf-8") as f:
        agencies = json.load(f)
    reps = {}
    rdir = os.path.join(out, "reports")
    for name in sorted(os.listdir(rdir)):
        if name.endswith(".jsonl"):
            with open(os.path.join(rdir, name), encoding="utf-8") as f:
                reps[name[:-6]] = [json.loads(line) for line in f if line.strip()]
    return agencies, reps


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate Simpul's fictional demo data: agencies.json and reports/<AGENCY>.jsonl "
                    "(POST /api/v1/reports bodies) with cross-border scam operations that share selectors. "
                    "See docs/demo.md.")
    ap.add_argument("--out", metavar="DIR", help="output directory (created if missing)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, same output")
    ap.add_argument("--reports", type=int, default=350, metavar="N", help="number of reports (default 350, at least 150)")
    ap.add_argument("--check-only", metavar="DIR", help="only validate an existing output directory")
    ap.add_argument("--quiet", action="store_true", help="no summary line")
    args = ap.parse_args(argv)

    if args.check_only:
        agencies, reps = load(args.check_only)
        errs = self_check(agencies, reps)
        for e in errs[:50]:
            print("demo_data: check: " + e, file=sys.stderr)
        print("demo_data: check %s (%d agencies, %d reports)" % ("FAILED" if errs else "ok", len(agencies),
                                                                sum(len(v) for v in reps.values())))
        return 1 if errs else 0
    if not args.out:
        ap.error("--out DIR is required")
    if args.reports < 150:
        ap.error("--reports must be at least 150 (the operations need room)")

    b = Builder(args.seed, args.reports)
    b.build()
    agencies = [{"id": a[0], "country": a[1], "kind": a[2], "name": a[3]} for a in AGENCIES]
    by_id = {a["id"]: a for a in agencies}

    os.makedirs(os.path.join(args.out, "reports"), exist_ok=True)
    for name in os.listdir(os.path.join(args.out, "reports")):
        if name.endswith(".jsonl"):
            os.remove(os.path.join(args.out, "reports", name))
    with open(os.path.join(args.out, "agencies.json"), "w", encoding="utf-8") as f:
        json.dump(agencies, f, ensure_ascii=False, indent=1)
        f.write("\n")
    by_agency = {}
    for r in b.reports:
        by_agency.setdefault(r["_agency"], []).append(r)
    for aid, rs in sorted(by_agency.items()):
        rs.sort(key=lambda r: r["reference"])
        with open(os.path.join(args.out, "reports", aid + ".jsonl"), "w", encoding="utf-8") as f:
            for r in rs:
                f.write(json.dumps(public_report(r), ensure_ascii=False, separators=(",", ":")) + "\n")

    postings, shared, cross_country, nets, find = stats(b.reports, by_id)
    nsel = sum(len(r["selectors"]) for r in b.reports)
    hk = "bank_account:%s:%s:%s" % HEADLINE_ACCOUNT
    hidx = sorted(postings[hk])
    hnet = [c for c in nets if find(hidx[0]) in {find(i) for i in c}][0]
    hcountries = sorted({by_id[b.reports[i]["_agency"]]["country"] for i in hnet})
    hloss = {}
    for i in hnet:
        lo = b.reports[i].get("loss")
        if lo:
            hloss[lo["currency"]] = hloss.get(lo["currency"], 0) + lo["amount"]
    myth_key = "phone:+60" + MYTH_PHONE[1]
    silent_key = "phone:+855" + SILENT_PHONE[1]
    summary = {
        "seed": args.seed,
        "agencies": len(agencies),
        "reports": len(b.reports),
        "reports_by_agency": {k: len(v) for k, v in sorted(by_agency.items())},
        "selectors": nsel,
        "distinct_selectors": len(postings),
        "cross_agency_shared_selectors": len(shared),
        "cross_country_shared_selectors": len(cross_country),
        "networks": len(nets),
        "largest_networks": sorted((len(c) for c in nets), reverse=True)[:8],
        "featured": {
            "headline_mule_account": {
                "type": "bank_account", "value": "5140 2217 8863", "country": "MY", "bank": "MBBEMYKL",
                "key": hk,
                "reports": [b.reports[i]["reference"] for i in hidx],
                "network_reports": len(hnet), "network_countries": hcountries,
            },
            "phone_shared_my_th": {
                "type": "phone", "value": "+60 17-482 3315", "key": myth_key,
                "reports": sorted(b.reports[i]["reference"] for i in postings[myth_key]),
            },
            "silent_record": {
                "type": "phone", "value": "+855 92 684 203", "key": silent_key,
                "silent_reference": b.silent_ref["reference"] if b.silent_ref else None,
                "reports": sorted(b.reports[i]["reference"] for i in postings[silent_key]),
            },
        },
    }
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
        f.write("\n")

    agencies2, reps2 = load(args.out)
    errs = self_check(agencies2, reps2)
    for e in errs[:50]:
        print("demo_data: check: " + e, file=sys.stderr)
    if errs:
        print("demo_data: self-check FAILED (%d problems)" % len(errs), file=sys.stderr)
        return 1
    if not args.quiet:
        print("demo_data: %d agencies, %d reports, %d selectors (%d distinct), %d cross-agency shared selectors "
              "(%d cross-country), %d networks; headline %s in %d reports, network of %d reports in %s -> %s"
              % (len(agencies), len(b.reports), nsel, len(postings), len(shared), len(cross_country), len(nets),
                 hk, len(hidx), len(hnet), "/".join(hcountries), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
