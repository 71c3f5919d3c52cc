#!/usr/bin/python3
"""Cluster tests: three Boutique nodes on one PostgreSQL database, HAProxy in front, all on loopback.

    bash scripts/with-postgres.sh /usr/bin/python3 tests/cluster/cluster_test.py [BUILD_DIR]

The binaries: BOUTIQUE_BIN and BOUTIQUE_LOAD, else BUILD_DIR/boutique and BUILD_DIR/bench/boutique-load (ctest's
cluster_script sets them). Each scenario prints PASS or FAIL with its figures; the exit status is 1 when one fails,
77 (skipped) without a PostgreSQL server (BOUTIQUE_TEST_POSTGRES). CLUSTER_ONLY=name,name runs some of them. What they check (docs/CLUSTER.md):
  deposits     1,000 concurrent deposits of one email spread over the 3 nodes -> one customer account
  across       a checkout started on one node, ordered through a second and paid through a third -> one bill,
               COMPLETE; the second and third forwarded to the first, which held the session's lease
  browser      a browser's cart filled on one node, its cart and contact pages asked of the two others (forwarded)
  loop         a request already forwarded that does not find its owner is not forwarded again (503, counted)
  twin         a second process started under a running node's id is refused; the running one keeps its membership
  kill         kill -9 of a node under checkout load -> every acknowledged checkout present exactly once; the
               dead node's sessions taken by the others with a higher epoch within lease + 2 s; restarted, the node
               rejoins with a new generation
  leave        a node stopped gracefully releases its sessions at once (no wait for its lease)
  mails        every node's mailer sends from the one outbox: no mail is sent by two nodes
  throttle     60 concurrent wrong logins of one name, 20 through each node -> at most 5 answered 401 (the limit per
               name), the others 429; 60 concurrent logins of 60 names from one client address, 20 through each
               node -> at most 20 answered 401 (the limit per address): the cluster counts once, not once per node
  pause        kill -STOP of a node past its lease, its session taken by another node meanwhile, then kill -CONT ->
               the paused node's late write is refused (503, counted, not stored) or, when the node noticed first
               that it lapsed, forwarded to the new owner; never written by the paused node; the node rejoins
               (tests/actors/cluster_fence_test.cpp checks the refusal itself, deterministically)
"""
import concurrent.futures
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

LEASE_S = 3
ADMIN_TOKEN = "cluster-test-admin-token-0123456789abcdef"
SECRET = "cluster-test-payment-secret"
CSRF_SECRET = "cluster-test-csrf-secret-shared-by-every-node"
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER_URL = os.environ.get("BOUTIQUE_TEST_POSTGRES")
BIN = os.environ.get("BOUTIQUE_BIN") or os.path.join(BUILD, "boutique")
LOAD = os.environ.get("BOUTIQUE_LOAD") or os.path.join(BUILD, "bench/boutique-load")
CONTACT = {"firstname": "Ada", "lastname": "Lovelace", "address": "1 rue de la Paix", "zip": "75002",
           "city": "Paris", "country": "FR"}
failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(server_url, name):
    base, _, query = server_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def psql(url, sql):
    out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def http(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read().decode()
            return r.status, json.loads(text) if text.startswith(("{", "[")) else text
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, json.loads(text) if text.startswith("{") else text


class Node:
    def __init__(self, cluster, index):
        self.cluster, self.name = cluster, "n%d" % index
        self.port, self.admin_port = free_port(), free_port()
        self.dir = os.path.join(cluster.work, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.proc, self.starts = None, 0

    def start(self):
        self.starts += 1
        log = open(os.path.join(self.dir, "log.%d" % self.starts), "w")
        self.proc = subprocess.Popen(
            [BIN, "--config=" + os.path.join(ROOT, "config/boutique.ini"),
             "--storage.url=" + self.cluster.db, "--cluster.node_id=" + self.name,
             "--cluster.advertise=127.0.0.1:%d" % self.port, "--cluster.lease_s=%d" % LEASE_S,
             "--http.port=%d" % self.port, "--admin.port=%d" % self.admin_port, "--http.trusted_proxies=127.0.0.1",
             "--shop.mail_dir=" + os.path.join(self.dir, "mail")],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            env=dict(os.environ, BOUTIQUE_ADMIN_TOKEN=ADMIN_TOKEN, BOUTIQUE_PAYMENT_SECRET=SECRET,
                     BOUTIQUE_CSRF_SECRET=CSRF_SECRET))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start; see %s" % (self.name, log.name))
            try:
                if http("GET", self.admin("/admin/health/ready"), timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s did not become ready" % self.name)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def admin(self, path):
        return "http://127.0.0.1:%d%s" % (self.admin_port, path)

    def cluster_view(self):
        status, body = http("GET", self.admin("/admin/cluster"), headers={"authorization": "Bearer " + ADMIN_TOKEN})
        assert status == 200, (status, body)
        return body

    def metric(self, name):
        status, text = http("GET", self.admin("/admin/metrics"), headers={"authorization": "Bearer " + ADMIN_TOKEN})
        assert status == 200, status
        for line in text.splitlines():
            if line.startswith('%s{node="%s"} ' % (name, self.name)):
                return float(line.split()[-1])
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Cluster:
    def __init__(self, size=3):
        self.work = tempfile.mkdtemp(prefix="boutique-cluster-test.")
        self.dbname = "boutique_cluster_%d" % os.getpid()
        psql(SERVER_URL, "CREATE DATABASE %s" % self.dbname)
        self.db = database_url(SERVER_URL, self.dbname)
        self.nodes = [Node(self, i + 1) for i in range(size)]
        self.haproxy, self.port = None, free_port()

    def start(self):
        for n in self.nodes:
            n.start()
        servers = "".join("  server %s 127.0.0.1:%d check port %d\n" % (n.name, n.port, n.admin_port)
                          for n in self.nodes)
        with open(os.path.join(ROOT, "cluster/haproxy.cfg")) as f:
            text = f.read().replace("@PORT@", str(self.port))
        text = "\n".join(servers.rstrip("\n") if line == "@NODES@" else line for line in text.splitlines()) + "\n"
        path = os.path.join(self.work, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(text)
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=open(path + ".log", "w"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if http("GET", "http://127.0.0.1:%d/api/v1/catalog" % self.port, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("HAProxy did not answer")

    def query(self, sql):
        return psql(self.db, sql)

    def stop(self):
        for n in self.nodes:
            n.stop()
        if self.haproxy:
            self.haproxy.terminate()
            self.haproxy.wait()
        psql(SERVER_URL, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)


def check(name, ok, detail):
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)
    if not ok:
        failures.append(name)


def new_session(node):
    status, body = http("POST", node.url("/api/v1/sessions"))
    assert status in (200, 201), (status, body)
    return body["session_id"]


def deposits(c):
    email = "Same.Person@Example.com"
    sessions = [new_session(c.nodes[i % 3]) for i in range(1000)]

    def deposit(i):
        node = c.nodes[i % 3]
        return http("PUT", node.url("/api/v1/sessions/%s/contact" % sessions[i]), dict(CONTACT, email=email))[0]

    # The account's lease, watched meanwhile: it moves between the nodes, and is given back once they are done.
    account_owners, burst_over = set(), [False]

    def watch():
        while not burst_over[0]:
            account_owners.update(o for (o,) in c.query("SELECT owner FROM cluster_leases WHERE kind = 'account'"))
            time.sleep(0.01)
    watcher = concurrent.futures.ThreadPoolExecutor(1).submit(watch)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(deposit, range(1000)))
    seconds = time.monotonic() - started
    burst_over[0] = True
    watcher.result()
    customers = int(c.query("SELECT count(*) FROM customers WHERE email_norm = 'same.person@example.com'")[0][0])
    owners = c.query("SELECT owner, count(*) FROM cluster_leases WHERE kind = 'session' AND owner IS NOT NULL "
                     "GROUP BY owner ORDER BY owner")
    given_back = wait_for(lambda: not c.query("SELECT 1 FROM cluster_leases WHERE kind = 'account'") or None, 5,
                          "the account's lease to be given back")
    ok = statuses.count(200) == 1000 and customers == 1 and len(owners) == 3 and len(account_owners) >= 2
    check("deposits", ok, "1,000 concurrent deposits in %.1f s: %d answered 200, %d customer account(s) for the "
          "email, session leases by node %s; the account's lease held by %s in turn, given back after: %s" % (
              seconds, statuses.count(200), customers, ", ".join("%s=%s" % tuple(o) for o in owners),
              ",".join(sorted(account_owners)), given_back))


def across(c):
    n1, n2, n3 = c.nodes
    before = {n.name: n.cluster_view()["node"]["forwarded"] for n in (n2, n3)}
    sid = new_session(n1)
    steps = [
        http("PUT", n1.url("/api/v1/sessions/%s/cart" % sid), {"items": [{"code": "A51-11236-F", "quantity": 1}]}),
        http("PUT", n1.url("/api/v1/sessions/%s/contact" % sid), dict(CONTACT, email="across@example.com")),
        http("POST", n2.url("/api/v1/sessions/%s/order" % sid), {"paymode": "test"}),
        http("POST", n3.url("/api/v1/sessions/%s/pay" % sid)),
    ]
    statuses = [s for s, _ in steps]
    paid = steps[3][1] if isinstance(steps[3][1], dict) else {}
    transid = paid.get("transid", "")
    rows = c.query("SELECT status FROM bills WHERE transid = '%s'" % transid.replace("'", "")) if transid else []
    owner = c.query("SELECT owner FROM cluster_leases WHERE kind = 'session' AND key = '%s'" % sid)
    after = {n.name: n.cluster_view()["node"]["forwarded"] for n in (n2, n3)}
    ok = (statuses == [200, 200, 201, 200] and paid.get("status") == "COMPLETE" and rows == [["COMPLETE"]]
          and owner == [["n1"]] and all(after[k] > before[k] for k in after))
    check("across", ok, "cart and contact on n1, order through n2, payment through n3: statuses %s, bill %s, "
          "lease held by %s, forwarded by n2 %d and n3 %d" % (statuses, rows, owner, after["n2"] - before["n2"],
                                                              after["n3"] - before["n3"]))


def page(node, method, path, cookies, body=None):
    """A browser's request, redirects not followed: (status, body, cookies set)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
    headers = {"Cookie": "; ".join("%s=%s" % kv for kv in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    text = r.read().decode()
    set_cookies = {}
    for name, value in r.getheaders():
        if name.lower() == "set-cookie":
            k, _, v = value.split(";")[0].partition("=")
            set_cookies[k] = v
    conn.close()
    return r.status, text, set_cookies


def browser(c):
    """A shopper's browser: the cart filled on n1, the cart and contact pages then asked of n2 and n3."""
    n1, n2, n3 = c.nodes
    cookies = {}
    status, text, set_cookies = page(n1, "GET", "/", cookies)
    cookies.update(set_cookies)
    field = 'name="csrf" value="'
    csrf = text[text.index(field) + len(field):].split('"', 1)[0]
    added = page(n1, "POST", "/cart/add", cookies, "code=A51-11236-F&quantity=2&csrf=" + csrf)
    cookies.update(added[2])
    cart = page(n2, "GET", "/cart", cookies)
    contact = page(n3, "GET", "/checkout/contact", cookies)
    ok = (status == 200 and added[0] == 303 and "boutique_checkout" in cookies and cart[0] == 200
          and "A51-11236-F" in cart[1] and contact[0] == 200)
    check("browser", ok, "home page %d, cart filled on n1 %d, cart page through n2 %d (shows the item: %s), contact "
          "page through n3 %d" % (status, added[0], cart[0], "A51-11236-F" in cart[1], contact[0]))


def loop_guard(c):
    n1, n2 = c.nodes[0], c.nodes[1]
    sid = new_session(n1)
    http("PUT", n1.url("/api/v1/sessions/%s/cart" % sid), {"items": [{"code": "A51-11236-F", "quantity": 1}]})
    before = n2.cluster_view()["node"]["forward_loops"]
    status, body = http("GET", n2.url("/api/v1/sessions/%s" % sid), headers={"X-Boutique-Forwarded": "n9"})
    after = n2.cluster_view()["node"]["forward_loops"]
    direct = http("GET", n2.url("/api/v1/sessions/%s" % sid))[0]
    check("loop", status == 503 and after == before + 1 and direct == 200,
          "a request marked forwarded reaching a node that does not hold its session: %d (counted %d), the same "
          "request unmarked: %d (forwarded once)" % (status, after - before, direct))


def run_load(c, seconds, acks, label):
    return subprocess.Popen(
        [LOAD, "--port=%d" % c.port, "--customers=24",
         "--duration=%d" % seconds, "--secret=" + SECRET, "--label=" + label, "--ack-log=" + acks,
         "--json-out=" + acks + ".json"],
        stdout=open(acks + ".txt", "w"), stderr=open(acks + ".progress", "w"))


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def twin(c):
    n1 = c.nodes[0]
    before = n1.cluster_view()["node"]
    second = Node(c, 1)  # n1's id, ports and folder of its own
    second.dir = os.path.join(c.work, "n1-twin")
    os.makedirs(second.dir, exist_ok=True)
    started = time.monotonic()
    try:
        second.start()
        refused = False
    except RuntimeError:
        refused = True
    seconds = time.monotonic() - started
    if not refused:
        second.stop()
    code = second.proc.wait(30)
    said = open(os.path.join(second.dir, "log.1")).read()
    after = n1.cluster_view()["node"]
    ok = (refused and code != 0 and "is running already" in said and after["generation"] == before["generation"]
          and after["rejoins"] == before["rejoins"])
    check("twin", ok, "a second process under n1's id: %s, exit %d after %.1f s, says it runs already: %s; n1 "
          "generation %d -> %d, rejoins %d -> %d" % ("refused" if refused else "STARTED", code, seconds,
                                                    "is running already" in said, before["generation"],
                                                    after["generation"], before["rejoins"], after["rejoins"]))


def kill_under_load(c):
    victim = c.nodes[1]
    generation = victim.cluster_view()["node"]["generation"]
    acks = os.path.join(c.work, "acks-kill.jsonl")
    load = run_load(c, 25, acks, "cluster-kill")
    # The load writes its acknowledgements when it ends: its progress meanwhile is read in the database.
    paid = lambda: int(c.query("SELECT count(*) FROM bills WHERE status = 'COMPLETE'")[0][0])
    start = paid()
    wait_for(lambda: paid() >= start + 100, 30, "100 checkouts completed before the kill")
    held = dict((k, int(e)) for k, e in c.query(
        "SELECT key, epoch FROM cluster_leases WHERE owner = 'n2' AND kind = 'session'"))
    victim.proc.kill()
    victim.proc.wait()
    killed_at = float(c.query("SELECT extract(epoch FROM clock_timestamp())")[0][0])
    # The other nodes take the dead node's sessions as the load comes back for them. The load comes back only for the
    # checkouts the kill interrupted (few, or none when no request was under way there): three shoppers of the dead
    # node's other sessions come back too, through the front, until answered.
    def come_back(sid):
        status, until = 0, time.monotonic() + LEASE_S + 10
        while status != 200 and time.monotonic() < until:
            try:
                status = http("GET", "http://127.0.0.1:%d/api/v1/sessions/%s" % (c.port, sid), timeout=10)[0]
            except (OSError, urllib.error.URLError):
                status = -1
            if status != 200:
                time.sleep(0.1)
        return status
    shoppers = concurrent.futures.ThreadPoolExecutor(3)
    came_back = [shoppers.submit(come_back, sid) for sid in sorted(held)[:3]]
    wait_for(lambda: int(c.query("SELECT count(*) FROM cluster_leases WHERE owner IN ('n1', 'n3') AND key IN (%s)" %
                                 ",".join("'%s'" % k for k in held))[0][0]) > 0, LEASE_S + 15,
             "a session of the dead node to be taken")
    came_back = [f.result(LEASE_S + 30) for f in came_back]
    victim.start()  # the same node id: it rejoins
    rejoined = victim.cluster_view()["node"]["generation"]
    restarted_with = paid()
    wait_for(lambda: paid() >= restarted_with + 100, 30, "100 more checkouts completed after the restart")
    load.send_signal(signal.SIGTERM)
    load.wait(60)
    taken = c.query("SELECT key, owner, epoch, extract(epoch FROM taken_at) FROM cluster_leases WHERE key IN (%s) "
                    "AND owner IN ('n1', 'n3')" % ",".join("'%s'" % k for k in held))
    higher = all(int(e) > held[k] for k, _, e, _ in taken)
    delays = sorted(float(t) - killed_at for _, _, _, t in taken)
    verify = subprocess.run([LOAD, "--mode=verify", "--ack-log=" + acks,
                             "--verify-db=" + c.db, "--port=%d" % c.port], capture_output=True, text=True)
    summary = [line for line in verify.stdout.splitlines() if line.startswith(("verification:", "  duplicates"))]
    acked = sum(1 for _ in open(acks)) if os.path.exists(acks) else 0
    ok = (verify.returncode == 0 and acked > 0 and taken and higher and delays[-1] <= LEASE_S + 2
          and rejoined == generation + 1 and came_back == [200] * len(came_back))
    check("kill", ok, "%d checkouts acknowledged, verified: %s; n2 held %d sessions when killed, %d taken by n1/n3 "
          "with a higher epoch: %s, %.2f to %.2f s after the kill (lease %d s), %d read back after it: %s; n2 "
          "rejoined with generation %d (was %d)" % (
              acked, "; ".join(summary) or verify.stdout[-300:], len(held), len(taken), higher,
              delays[0] if delays else -1, delays[-1] if delays else -1, LEASE_S, len(came_back), came_back,
              rejoined, generation))


def pause_past_lease(c):
    n1, paused = c.nodes[0], c.nodes[2]
    sid = new_session(paused)
    status = http("PUT", paused.url("/api/v1/sessions/%s/cart" % sid),
                  {"items": [{"code": "A51-11236-F", "quantity": 1}]})[0]
    assert status == 200, status
    epoch = int(c.query("SELECT epoch FROM cluster_leases WHERE key = '%s'" % sid)[0][0])
    view = paused.cluster_view()["node"]
    paused.proc.send_signal(signal.SIGSTOP)
    # A write sent to the paused node: the kernel takes the connection, the node reads it only once continued.
    late = concurrent.futures.ThreadPoolExecutor(1).submit(
        http, "PUT", paused.url("/api/v1/sessions/%s/cart" % sid), {"items": [{"code": "A51-11236-F", "quantity": 3}]})
    wait_for(lambda: c.query("SELECT 1 FROM cluster_nodes WHERE node_id = 'n3' AND heartbeat_at < clock_timestamp() "
                             "- make_interval(secs => %d)" % LEASE_S), LEASE_S + 10, "n3's membership to lapse")
    taken = http("PUT", n1.url("/api/v1/sessions/%s/cart" % sid), {"items": [{"code": "A51-11236-F", "quantity": 2}]})
    paused.proc.send_signal(signal.SIGCONT)
    late_status, _ = late.result(30)
    after = wait_for(lambda: (lambda v: v if v["rejoins"] > view["rejoins"] else None)(paused.cluster_view()["node"]),
                     10, "n3 to rejoin")
    owner = c.query("SELECT owner, epoch FROM cluster_leases WHERE key = '%s'" % sid)
    snapshot = json.loads(c.query("SELECT snapshot FROM sessions WHERE id = '%s'" % sid)[0][0])
    quantity = snapshot["cart"][0]["quantity"]
    metric = paused.metric("boutique_cluster_fenced_writes_total")
    # Woken, n3 either runs the queued write on its out-of-date actor first (the write is fenced: 503, counted, not
    # stored), or finds its connection ended by the server (paused inside a transaction: idle_in_transaction_session_
    # timeout; 503, not stored), or notices first that its membership lapsed (it rejoins, its actors passivate, and
    # the request, now for a session held by n1, is forwarded there and applied after n1's own write). Never does
    # n3 write it.
    refused = late_status == 503 and quantity == 2 and after["forwarded"] == view["forwarded"]
    fenced = refused and after["fenced_writes"] == view["fenced_writes"] + 1
    forwarded = (late_status == 200 and after["forwarded"] > view["forwarded"] and quantity == 3
                 and after["fenced_writes"] == view["fenced_writes"])
    ok = (taken[0] == 200 and (refused or forwarded) and owner[0][0] == "n1" and int(owner[0][1]) == epoch + 1
          and after["generation"] > view["generation"] and metric == after["fenced_writes"])
    check("pause", ok, "n3 paused past its %d s lease; n1 took its session (%d, epoch %d -> %s); n3's late write "
          "(n1 wrote 2, n3 3) %s: answered %d, fenced writes %d -> %d (metrics: %s), forwarded %d -> %d, stored %d; "
          "n3 rejoined: generation %d -> %d"
          % (LEASE_S, taken[0], epoch, owner[0][1],
             "refused by the fence" if fenced else "refused (its connection ended by the server)" if refused
             else "forwarded to n1" if forwarded else "WRITTEN BY n3 OR LOST",
             late_status, view["fenced_writes"], after["fenced_writes"], metric, view["forwarded"],
             after["forwarded"], quantity, view["generation"], after["generation"]))


def throttle(c):
    """Logins spread over the nodes share one budget (config/boutique.ini: 5 per name, 20 per address)."""
    def login(i, name, address):
        status, _ = http("POST", c.nodes[i % 3].url("/api/v1/auth/login"),
                         {"login": name, "password": "wrong-%d" % i}, headers={"x-forwarded-for": address})
        return status

    with concurrent.futures.ThreadPoolExecutor(max_workers=60) as pool:
        by_name = list(pool.map(lambda i: login(i, "guessed@example.com", "198.51.100.%d" % (i + 1)), range(60)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=60) as pool:
        by_address = list(pool.map(lambda i: login(i, "name%d@example.com" % i, "203.0.113.7"), range(60)))
    # Each 401 is a failure counted in the name's row, none left in flight (the ends of the attempts are written
    # just after their answers: waited for, bounded).
    secret = c.query("SELECT value FROM service_keys WHERE name = 'login_attempts'")[0][0]
    key = hmac.new(secret.encode(), b"boutique-login-attempts-v1.login.guessed@example.com",
                   hashlib.sha256).hexdigest()
    row = wait_for(lambda: [r for r in c.query("SELECT failures, in_flight FROM login_attempts WHERE scope = 'login' "
                                               "AND key = '%s'" % key) if r == [str(by_name.count(401)), "0"]], 5,
                   "the name's row to count every 401 as a failure")
    rows = int(c.query("SELECT count(*) FROM login_attempts")[0][0])
    raw = int(c.query("SELECT count(*) FROM login_attempts WHERE key LIKE '%@%' OR key LIKE '203.%'")[0][0])
    ok = (1 <= by_name.count(401) <= 5 and by_name.count(401) + by_name.count(429) == 60
          and 1 <= by_address.count(401) <= 20 and by_address.count(401) + by_address.count(429) == 60
          and row and rows > 0 and raw == 0)
    check("throttle", ok, "one name tried 60 times through 3 nodes: %d answered 401, %d 429, its row %s; one address "
          "trying 60 names through 3 nodes: %d answered 401, %d 429; %d rows counted in the database, %d naming a "
          "name or an address" % (by_name.count(401), by_name.count(429), row, by_address.count(401),
                                  by_address.count(429), rows, raw))


def mails(c):
    """Every node's mailer sends from the one outbox: a mail goes out from one node only."""
    sent = int(c.query("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")[0][0])
    files = {}
    for n in c.nodes:
        folder = os.path.join(n.dir, "mail")
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            if name.endswith(".eml"):
                files.setdefault(name, []).append(n.name)
    twice = {name: where for name, where in files.items() if len(where) > 1}
    senders = sorted(set(w for where in files.values() for w in where))
    check("mails", sent > 0 and not twice and len(files) >= sent and len(senders) > 1,
          "%d mails recorded sent, %d files written by %s, %d sent by two nodes%s"
          % (sent, len(files), ",".join(senders), len(twice), (": " + str(list(twice.items())[:3])) if twice else ""))


def leave(c):
    """A node stopped gracefully (SIGTERM) hands its sessions over at once: leases released, membership ended."""
    n1, n2 = c.nodes[0], c.nodes[1]
    sid = new_session(n2)
    assert http("PUT", n2.url("/api/v1/sessions/%s/cart" % sid), {"items": [{"code": "A51-11236-F", "quantity": 1}]})[0] == 200
    held = int(c.query("SELECT count(*) FROM cluster_leases WHERE owner = 'n2'")[0][0])
    n2.proc.terminate()
    n2.proc.wait(30)
    after = int(c.query("SELECT count(*) FROM cluster_leases WHERE owner = 'n2'")[0][0])  # any generation
    member = c.query("SELECT heartbeat_at > clock_timestamp() - make_interval(secs => %d) FROM cluster_nodes "
                     "WHERE node_id = 'n2'" % LEASE_S)[0][0]
    started = time.monotonic()
    status = http("GET", n1.url("/api/v1/sessions/%s" % sid))[0]
    took = time.monotonic() - started
    check("leave", held > 0 and after == 0 and member == "f" and status == 200 and took < 1,
          "n2 held %d sessions, %d after its SIGTERM, still a member: %s; its session read through n1 at once: %d in "
          "%.2f s (lease %d s)" % (held, after, member, status, took, LEASE_S))


def main():
    if not SERVER_URL:
        print("cluster tests skipped: no PostgreSQL server (run through scripts/with-postgres.sh)")
        sys.exit(77)
    c = Cluster(3)
    try:
        c.start()
        scenarios = [deposits, across, browser, loop_guard, twin, throttle, kill_under_load, pause_past_lease, mails,
                     leave]
        only = os.environ.get("CLUSTER_ONLY")
        for scenario in scenarios:
            if only and scenario.__name__ not in only.split(","):
                continue
            try:
                scenario(c)
            except Exception as e:  # a scenario that cannot finish fails; the others still run
                check(scenario.__name__, False, "%s: %s" % (type(e).__name__, e))
    finally:
        c.stop()
        if failures:
            print("node logs kept in", c.work)
        else:
            subprocess.run(["rm", "-rf", c.work])
    print("cluster tests: %s" % ("FAILED: " + ", ".join(failures) if failures else "all passed"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
