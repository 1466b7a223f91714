#!/usr/bin/env python3
"""Load client for bench/registry.sh: the same requests against either registry, with as little client CPU as
possible, so the 2-core machine's time goes to the servers being compared rather than to the client.

  registry_client.py get URL REQUESTS CLIENTS          GET URL REQUESTS times over CLIENTS keep-alive connections
  registry_client.py put BASE REPO DIR CLIENTS         upload every file in DIR (named by its sha256 hex): POST a
                                                       session, PUT ?digest= with the file as the body
Prints "<bytes> <seconds>" (first request to last response). Any status other than the expected one is an error.
GET bodies are moved socket -> pipe -> /dev/null with splice(2) (never copied into the client); PUT bodies are sent
with sendfile(2); each client thread keeps one connection (HTTP/1.1 keep-alive) for all its requests.
"""
import fcntl
import http.client
import os
import socket
import sys
import threading
import time
import urllib.parse

F_SETPIPE_SZ = 1031  # linux/fcntl.h; Python's fcntl has the name only from 3.10 on some builds


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
    request = f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode()
    total = [0] * clients

    def work(i):
        # Raw HTTP/1.1 on a keep-alive socket; the body goes socket -> pipe -> /dev/null with splice(2), so the
        # client never copies the bytes into user space and its CPU stays far below either server's.
        sock = socket.create_connection((u.hostname, u.port), timeout=120)
        # A Python timeout makes the fd non-blocking, and splice(2) would then fail with EAGAIN: block instead.
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        devnull = os.open("/dev/null", os.O_WRONLY)
        pr, pw = os.pipe()
        try:
            fcntl.fcntl(pw, F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass  # the default 64 KiB pipe works too, with more splice calls
        try:
            for _ in range(i, requests, clients):
                sock.sendall(request)
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise RuntimeError(f"GET {path}: connection closed in the headers")
                    head += chunk
                header, body = head.split(b"\r\n\r\n", 1)
                lines = header.decode("latin-1").split("\r\n")
                if lines[0].split()[1] != "200":
                    raise RuntimeError(f"GET {path}: {lines[0]}")
                fields = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
                if "content-length" not in fields:
                    raise RuntimeError(f"GET {path}: no Content-Length")
                want = int(fields["content-length"])
                got = len(body)
                while got < want:
                    n = os.splice(sock.fileno(), pw, min(want - got, 1 << 20))
                    if n == 0:
                        raise RuntimeError(f"GET {path}: {got} of {want} bytes")
                    left = n
                    while left:
                        left -= os.splice(pr, devnull, left)
                    got += n
                total[i] += got
        finally:
            sock.close()
            os.close(devnull)
            os.close(pr)
            os.close(pw)

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
