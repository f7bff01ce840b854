#!/usr/bin/python3
"""Name-search speed at scale (issue 3): N persons generated from the
name-part distributions of the dev sanctions lists (plus common South-East-
Asian name parts), imported into a node; the daemon's name index is built,
then single queries are posted from 2 client threads to measure queries/s
and latency percentiles; resident memory of the daemon is read from /proc.
The brute-force baseline (best of Jaro-Winkler and token-sort ratio over
every name, python3-jellyfish + python3-levenshtein) runs on a few of the
same queries in the same run.

  /usr/bin/python3 bench/persons_speed.py [--persons 1000000] [--queries 4000] [--bin build/src/cli/simpul]
"""
import argparse, collections, csv, re, http.client, json, os, random, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import persons_quality as pq  # noqa: E402  (the list parsers and the baseline)

SEA_GIVEN = ["Van", "Thi", "Minh", "Anh", "Thanh", "Hung", "Lan", "Somchai", "Somsak", "Siti", "Nur", "Ahmad",
             "Muhammad", "Wei", "Ming", "Aung", "Kyaw", "Sok", "Dara", "Maria", "Jose", "Budi", "Dewi", "Rizal"]
SEA_FAMILY = ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Tan", "Lim", "Lee", "Wong", "Santos", "Reyes", "Cruz",
              "Srisuk", "Jaidee", "Win", "Oo", "Chan", "Sok", "Keo", "Phommachanh", "Wijaya", "Susanto"]


def dist(people):
    given, family = collections.Counter(), collections.Counter()
    for p in people:
        toks = [t for t in p["primary"].split() if sum(ch.isalpha() for ch in t) >= 2]
        if len(toks) < 2:
            continue
        for t in toks[:-1]:
            given[t.title()] += 1
        family[toks[-1].title()] += 1
    for t in SEA_GIVEN:
        given[t] += 40
    for t in SEA_FAMILY:
        family[t] += 60
    family["Nguyen"] += 2000    # the region's most common family name
    return list(given.keys()), list(given.values()), list(family.keys()), list(family.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(pq.ROOT, "build", "src", "cli", "simpul"))
    ap.add_argument("--persons", type=int, default=1000000)
    ap.add_argument("--queries", type=int, default=4000)
    ap.add_argument("--baseline-queries", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--reuse", help="a work directory of an earlier run (s.db, p.jsonl): skip generation and import")
    a = ap.parse_args()
    d = pq.data_dir()
    if not os.path.isdir(os.path.join(d, "sanctions", "dev")):
        print("SKIP: no sanctions/dev under %s (set SIMPUL_DATA)" % d)
        return 0
    rnd = random.Random(a.seed)
    g, gw, f, fw = dist(pq.ofac_people(d) + pq.un_people(d))
    tmp = a.reuse or tempfile.mkdtemp(prefix="simpul-ps-")
    db, jl = os.path.join(tmp, "s.db"), os.path.join(tmp, "p.jsonl")
    names = []
    t0 = time.perf_counter()
    if a.reuse:
        with open(jl) as fh:
            for l in fh:
                o = json.loads(l)
                names.append((o["names"][0], o["ref"]))
                if len(names) >= 200000:
                    break
        a.persons = sum(1 for _ in open(jl))
    with open(os.devnull if a.reuse else jl, "w") as out:
        for i in range(0 if a.reuse else a.persons):
            k = rnd.choice((1, 2, 2, 3))
            gn = rnd.choices(g, gw, k=k)
            fn = rnd.choices(f, fw)[0]
            nm = " ".join(gn + [fn])
            o = {"ref": "G%d" % i, "names": [nm]}
            if rnd.random() < 0.3:
                o["names"].append(" ".join([fn] + gn))
            if rnd.random() < 0.7:
                o["dob"] = "%04d-%02d-%02d" % (rnd.randrange(1940, 2005), rnd.randrange(1, 13), rnd.randrange(1, 29))
            out.write(json.dumps(o) + "\n")
            if len(names) < 200000:
                names.append((nm, "G%d" % i))
    gen_s = time.perf_counter() - t0
    import_s = float("nan")
    if not a.reuse:
        subprocess.run([a.bin, "init", "--db", db], check=True, capture_output=True)
        subprocess.run([a.bin, "agency", "add", "--db", db, "--id", "BENCH-PD", "--country", "MY", "--kind", "police"],
                       check=True, capture_output=True)
        t0 = time.perf_counter()
        subprocess.run([a.bin, "import", "--db", db, "--agency", "BENCH-PD", "--format", "persons-jsonl", "--fast", jl],
                       check=True, capture_output=True)
        import_s = time.perf_counter() - t0
    tok = json.loads(subprocess.run([a.bin, "token", "create", "--db", db, "--agency", "BENCH-PD", "--role",
                                     "analyst", "--json"], check=True, capture_output=True).stdout)["token"]
    srv = subprocess.Popen([a.bin, "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--db", db],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = srv.stdout.readline().decode()
    m = re.search(r":(\d+)/", line)
    port = int(m.group(1)) if m else None
    if port is None:
        srv.kill()
        sys.exit("could not read the port from: " + line)

    def post(body):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        c.request("POST", "/api/v1/persons/search", json.dumps(body),
                  {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError("%d %s" % (r.status, data[:200]))
        return json.loads(data)

    def cpu_s():
        with open("/proc/%d/stat" % srv.pid) as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    try:
        t0 = time.perf_counter()
        c0 = cpu_s()
        post({"name": "warm up"})           # builds the index
        build_s = time.perf_counter() - t0
        build_cpu = cpu_s() - c0
        rss = 0
        with open("/proc/%d/status" % srv.pid) as fh:
            for l in fh:
                if l.startswith("VmRSS:"):
                    rss = int(l.split()[1]) * 1024
        qs = []
        for i in range(a.queries):
            if i % 2 == 0:       # a listed name, misspelt or reordered
                nm, ref = rnd.choice(names)
                t = nm.split()
                rnd.shuffle(t)
                if len(t[0]) > 4:
                    t[0] = t[0][:-1]
                qs.append({"name": " ".join(t), "_ref": ref, "_name": nm})
            else:                # a stranger
                qs.append({"name": "%s %s" % (rnd.choice(SEA_GIVEN), rnd.choice(["Qwerty", "Ostrowski", "Haddad", "Park", "Lopez"]))})
        lat, lock, idx, found = [], threading.Lock(), [0], [0, 0]

        def worker():
            while True:
                with lock:
                    if idx[0] >= len(qs):
                        return
                    q = qs[idx[0]]
                    idx[0] += 1
                t = time.perf_counter()
                ans = post({"name": q["name"]})
                dt = time.perf_counter() - t
                with lock:
                    lat.append(dt)
                    if "_ref" in q:
                        found[0] += 1
                        # the generated names repeat (drawn from a distribution): a hit is the
                        # person or any person with the same name, at or above the threshold
                        if any(x["score"] >= ans["threshold"] and (x["ref"] == q["_ref"] or
                                                                    x["explain"].get("name") == q["_name"])
                               for x in ans["results"][:10]):
                            found[1] += 1
        t0 = time.perf_counter()
        c0 = cpu_s()
        th = [threading.Thread(target=worker) for _ in range(2)]
        for x in th:
            x.start()
        for x in th:
            x.join()
        wall = time.perf_counter() - t0
        qcpu = cpu_s() - c0
    finally:
        srv.terminate()
        srv.wait()
    lat.sort()
    p = lambda x: lat[min(len(lat) - 1, int(len(lat) * x))] * 1000
    qps = len(lat) / wall
    # the baseline on a few of the same queries, over the same names (all of them)
    bq = qs[: a.baseline_queries]
    allnames = []
    with open(jl) as fh:
        for l in fh:
            o = json.loads(l)
            allnames.extend(pq.base_norm(n) for n in o["names"])
    t0 = time.perf_counter()
    for q in bq:
        qn = pq.base_norm(q["name"])
        best = 0
        for n in allnames:
            s = pq.baseline_score(qn, n)
            if s > best:
                best = s
    bqps = len(bq) / (time.perf_counter() - t0) if bq else 0
    print("persons %d (names %d), generated in %.1f s" % (a.persons, len(allnames), gen_s))
    print("import (persons-jsonl, --fast): %.1f s = %.0f persons/s" % (import_s, a.persons / import_s))
    print("index build in the daemon (first search): %.1f s wall, %.1f s CPU; daemon resident memory after build: %.0f MiB"
          % (build_s, build_cpu, rss / 2**20))
    print("HTTP single-query search, 2 client threads, %d queries: %.0f queries/s; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms"
          % (len(lat), qps, p(0.5), p(0.95), p(0.99)))
    print("daemon CPU per query %.2f ms (search, policy, rendering, HTTP, audit commit) -> %.0f queries/s on 2 idle cores;"
          " load average during the run %s" % (1000 * qcpu / len(lat), 2 * len(lat) / qcpu if qcpu else 0,
                                               open("/proc/loadavg").read().split()[0]))
    print("listed names (one token cut short, order shuffled): %d of %d found (the person, or a namesake with the very"
          " same name) at or above the threshold in the top 10"
          % (found[1], found[0]))
    print("baseline (brute force over %d names, %d queries): %.3f queries/s -> simpul is %.0fx" %
          (len(allnames), len(bq), bqps, qps / bqps if bqps else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
