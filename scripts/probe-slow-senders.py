#!/usr/bin/env python3
"""Issue 11's probe, redone from outside against a running demo (`./onecard demo`, no --exit):
17 slow chunked POSTs (1 byte a second) with a forged signature for the real client, and a
signed GET timed before and while they trickle. Usage: probe-slow-senders.py DEMO_DIR PORT BATCH_ID"""
import json, os, socket, subprocess, sys, threading, time, secrets, base64

ROOT = sys.argv[1] if len(sys.argv) > 1 else "data/demo"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8080
world = json.load(open(f"{ROOT}/world/world.json"))
client = world["treasury"]["clientId"]
key = f"{ROOT}/world/treasury/sm2-private.pem"
batch = sys.argv[3]

def signed_headers(body=b""):
    ts = str(int(time.time() * 1000))
    nonce = secrets.token_hex(12)
    msg = ts.encode() + b"\n" + nonce.encode() + b"\n" + body
    sig = subprocess.run(["./onecard", "crypto", "sign", "--key", key], input=msg, capture_output=True, check=True).stdout
    return {"X-OneCard-Client": client, "X-OneCard-Timestamp": ts, "X-OneCard-Nonce": nonce,
            "X-OneCard-Signature": base64.b64encode(sig).decode()}

def exchange(raw):
    s = socket.create_connection(("127.0.0.1", PORT)); s.settimeout(60)
    s.sendall(raw); data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    s.close(); return data

def timed_get():
    h = signed_headers()
    head = f"GET /api/v1/batches/{batch} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    t = time.perf_counter(); answer = exchange(head.encode()); ms = (time.perf_counter() - t) * 1000
    return answer.split(b"\r\n", 1)[0].decode(), ms

results = {}
def slow(i, stop):
    h = {"X-OneCard-Client": client, "X-OneCard-Timestamp": str(int(time.time() * 1000)),
         "X-OneCard-Nonce": secrets.token_hex(12), "X-OneCard-Signature": "MEQCIA" + "A" * 90}
    head = "POST /api/v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    s = socket.create_connection(("127.0.0.1", PORT)); s.settimeout(0.01)
    s.sendall(head.encode()); started = time.time()
    try:
        while not stop.is_set():
            try:
                s.sendall(b"1\r\n{\r\n")
            except OSError:
                results[i] = ("closed", time.time() - started); return
            try:
                data = s.recv(4096)
                if data:
                    results[i] = (data.split(b"\r\n", 1)[0].decode() + " " + (data.split(b'"code":"')[1].split(b'"')[0].decode() if b'"code":"' in data else ""), time.time() - started); return
            except socket.timeout:
                pass
            time.sleep(1)
        results[i] = ("still sending", time.time() - started)
    finally:
        s.close()

base = [timed_get() for _ in range(5)]
print("signed GET, quiet:", [f"{st} {ms:.0f} ms" for st, ms in base])
stop = threading.Event()
threads = [threading.Thread(target=slow, args=(i, stop)) for i in range(17)]
for t in threads: t.start()
time.sleep(3)
during = [timed_get() for _ in range(5)]
print("signed GET, 17 slow senders trickling:", [f"{st} {ms:.0f} ms" for st, ms in during])
time.sleep(15)
stop.set()
for t in threads: t.join()
print("the slow senders' answers:")
from collections import Counter
print(Counter(r[0] for r in results.values()))
print("answered after (s):", sorted(round(r[1], 1) for r in results.values()))
