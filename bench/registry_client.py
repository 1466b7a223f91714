#!/usr/bin/env python3
"""Load client for bench/registry.sh: the same requests against either registry, with as little client CPU as
possible, so the 2-core machine's time goes to the servers being compared rather than to the client.

  registry_client.py get URL REQUESTS CLIENTS          GET URL REQUESTS times over CLIENTS keep-alive connections
  registry_client.py put BASE REPO DIR CLIENTS         upload every file in DIR (named by its sha256 hex): POST a
                                                       session, PUT ?digest= with the file as the body
Prints "<bytes> <seconds>" (first request to last response). Any status other than the expected one is an error.
Bodies are read into one reused buffer (GET) and sent with sendfile(2) (PUT); each client thread keeps one
connection (HTTP/1.1 keep-alive) for all its requests.
"""
import http.client
import os
import sys
import threading
import time
import urllib.parse


def connect(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def run(clients, work):
    errors = []

    def wrapped(i):
        try:
            work(i)
        except Exception as e:  # reported after all threads end
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if errors:
        sys.exit(f"error: {errors[0]}")
    return elapsed


def get(url, requests, clients):
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    total = [0] * clients

    def work(i):
        conn = connect(url)
        buf = memoryview(bytearray(1 << 20))
        for _ in range(i, requests, clients):
            conn.request("GET", path)
            resp = conn.getresponse()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: {resp.status}")
            want = int(resp.getheader("Content-Length"))
            got = 0
            while True:
                n = resp.readinto(buf)
                if not n:
                    break
                got += n
            if got != want:
                raise RuntimeError(f"GET {path}: {got} of {want} bytes")
            total[i] += got
        conn.close()

    elapsed = run(clients, work)
    print(sum(total), f"{elapsed:.6f}")


def put(base, repo, directory, clients):
    files = sorted(os.listdir(directory))
    total = [0] * clients

    def work(i):
        conn = connect(base)
        for name in files[i::clients]:
            conn.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 202:
                raise RuntimeError(f"POST upload: {resp.status}")
            loc = urllib.parse.urlsplit(resp.getheader("Location"))  # distribution's is absolute, wharf's a path
            target = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=sha256:" + name
            path = os.path.join(directory, name)
            size = os.path.getsize(path)
            conn.putrequest("PUT", target, skip_accept_encoding=True)
            conn.putheader("Content-Type", "application/octet-stream")
            conn.putheader("Content-Length", str(size))
            conn.endheaders()
            with open(path, "rb") as f:
                conn.sock.sendfile(f)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 201:
                raise RuntimeError(f"PUT {target}: {resp.status}")
            total[i] += size
        conn.close()

    elapsed = run(clients, work)
    print(sum(total), f"{elapsed:.6f}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "get" and len(sys.argv) == 5:
        get(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "put" and len(sys.argv) == 6:
        put(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
