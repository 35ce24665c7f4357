#!/usr/bin/env python3
"""httpd.py: a fault-injecting HTTP(S) server for nprof's tests (stdlib only).

Usage: httpd.py [--tls CERT KEY] [--verbose] ROOT

Listens on 127.0.0.1 on a port the kernel picks, prints that port alone on
the first line of stdout (flushed), then serves files under ROOT until it is
killed, or until its stdin reaches end-of-file when stdin is a pipe or a
socket (so a test that dies takes the server with it).  With stdin a tty or
/dev/null (a shell's background job) it serves until killed.  From a shell:

    exec 3< <(python3 httpd.py "$dir"); read -r port <&3

Responses carry Content-Length, a strong ETag, Last-Modified and
Accept-Ranges; a single "Range: bytes=A-B" (or A-, or -N) gets a 206 with
Content-Range, or a 416 past the end; If-Range (an ETag or the exact
Last-Modified date) that does not match gets the whole file with a 200.

Faults are chosen by leading path segments ("modes") before the file name,
and can be combined: /drop/norange/NAME.  Requests are counted per path
(query excluded), so "the first n requests" means per URL path.  Query
parameters tune the modes.

  /NAME                  the file, as above
  /404/ANY               404 Not Found
  /status/CODE/ANY       always answers CODE (403, 410, 500, ...)
  /503-then-ok/NAME      the first n requests (?n=, default 1) get 503
                         (or ?code=), with Retry-After if ?after= is given
  /retry-after/NAME      the first n requests get 503 with Retry-After:
                         ?after= seconds (default 1), then the file
  /redirect/REST         302 to /REST (modes after it still apply), or to
                         ?to=URL
  /redirect-loop/ANY     302 to itself, forever
  /redirect-file/ANY     302 to file:///etc/passwd
  /html/ANY              200 text/html with a small web page
  /endless/ANY           200 with no Content-Length and an endless body
  /drop/NAME             the first n requests send headers and a fraction
                         (?frac=, default 0.5) of the body, then close the
                         connection; later requests (Range ones get a 206)
                         are served normally
  /norange/NAME          ignores Range: always 200 with the whole file
  /stall/NAME            sends ?bytes= (default 512) bytes of the body, then
                         nothing until the client hangs up
  /slow/NAME             sends the body at ?rate= bytes/s (default 65536)
  /corrupt-range/NAME    206 responses carry wrong bytes (200s are right)
  /corrupt/NAME          every body carries wrong bytes

Control paths, not logged or counted:

  GET /_log              the request log as JSON: a list of objects with
                         method, path (with query), status, t (seconds since
                         start), range and if_range (null when absent)
  GET /_log?format=text  one line per request:
                         METHOD PATH STATUS T RANGE IF-RANGE
                         with "-" for an absent header; IF-RANGE runs to the
                         end of the line (a date has spaces)
  GET /_reset            empties the log and the per-path counters
"""

import email.utils
import http.server
import json
import os
import posixpath
import ssl
import stat
import sys
import threading
import time
import urllib.parse

MODES = {
    "404", "status", "503-then-ok", "retry-after", "redirect",
    "redirect-loop", "redirect-file", "html", "endless", "drop",
    "norange", "stall", "slow", "corrupt-range", "corrupt",
}

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Download</title></head>\n"
             b"<body><p>Your download will start shortly.</p></body></html>\n")


class State:
    """The request log and per-path counters, shared by handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.entries = []
        self.counts = {}

    def record(self, entry, path):
        """Logs entry; returns how many requests path had before this one."""
        with self.lock:
            self.entries.append(entry)
            n = self.counts.get(path, 0)
            self.counts[path] = n + 1
            return n

    def reset(self):
        with self.lock:
            self.entries = []
            self.counts = {}

    def dump(self, text):
        with self.lock:
            entries = [dict(e) for e in self.entries]
        if not text:
            return json.dumps(entries, indent=1).encode() + b"\n"
        lines = ["%s %s %s %.3f %s %s" % (
            e["method"], e["path"], e["status"], e["t"],
            e["range"] or "-", e["if_range"] or "-") for e in entries]
        return "".join(line + "\n" for line in lines).encode()


def parse_modes(path):
    """Splits /mode/mode/NAME into ([(mode, arg, rest)], NAME)."""
    segs = [s for s in path.split("/") if s]
    modes = []
    while segs and segs[0] in MODES:
        mode = segs.pop(0)
        arg = segs.pop(0) if mode == "status" and segs else None
        modes.append((mode, arg, "/" + "/".join(segs)))
    return modes, "/".join(segs)


def parse_range(value, size):
    """(start, end) exclusive for one "bytes=" range, None to ignore it,
    or "unsatisfiable"."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    first, _, last = value[len("bytes="):].strip().partition("-")
    try:
        if first == "":
            n = int(last)
            return (max(size - n, 0), size) if n > 0 else "unsatisfiable"
        start = int(first)
        end = min(int(last) + 1, size) if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        return "unsatisfiable"
    return start, end


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nprof-test-httpd/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("httpd: " + (fmt % args) + "\n")

    def do_GET(self):
        self.handle_request(head=False)

    def do_HEAD(self):
        self.handle_request(head=True)

    # Helpers writing responses.

    def send_simple(self, code, headers=(), body=None):
        if body is None:
            body = ("%d %s\n" % (code, self.responses.get(code, ("",))[0])).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head:
            self.write(body)

    def write(self, data):
        """Writes data; False when the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
            return False

    def hang_up(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass

    def wait_for_client_to_leave(self, limit=600):
        """Blocks until the client closes (or limit seconds pass)."""
        self.close_connection = True
        self.connection.settimeout(limit)
        try:
            while self.connection.recv(4096):
                pass
        except (OSError, ssl.SSLError):
            pass

    # The request itself.

    def handle_request(self, head):
        self.head = head
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        state = self.server.state
        if url.path == "/_log":
            text = query.get("format", [""])[0] == "text"
            return self.send_simple(200, body=state.dump(text))
        if url.path == "/_reset":
            state.reset()
            return self.send_simple(200, body=b"ok\n")

        entry = {
            "method": self.command, "path": self.path, "status": None,
            "t": round(time.monotonic() - state.start, 3),
            "range": self.headers.get("Range"),
            "if_range": self.headers.get("If-Range"),
        }
        count = state.record(entry, url.path)
        modes, name = parse_modes(url.path)
        names = [m for m, _, _ in modes]

        def q(key, default, conv=int):
            return conv(query[key][0]) if key in query else default

        def status(code):
            entry["status"] = code
            return code

        n = q("n", 1)
        for mode, arg, rest in modes:
            if mode == "404":
                return self.send_simple(status(404))
            if mode == "status":
                return self.send_simple(status(int(arg or 500)))
            if mode == "503-then-ok" and count < n:
                hdrs = [("Retry-After", query["after"][0])] if "after" in query else []
                return self.send_simple(status(q("code", 503)), hdrs)
            if mode == "retry-after" and count < n:
                return self.send_simple(status(503), [("Retry-After", q("after", "1", str))])
            if mode == "redirect-loop":
                return self.send_simple(status(302), [("Location", self.path)])
            if mode == "redirect-file":
                return self.send_simple(status(302), [("Location", "file:///etc/passwd")])
            if mode == "redirect":
                to = q("to", None, str)
                if to is None:
                    to = rest + ("?" + url.query if url.query else "")
                return self.send_simple(status(302), [("Location", to)])
            if mode == "html":
                return self.send_html(status(200))
            if mode == "endless":
                return self.send_endless(status(200))
        return self.send_file(name, names, count, n, q, status)

    def send_html(self, code):
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(HTML_PAGE)))
        self.end_headers()
        if not self.head:
            self.write(HTML_PAGE)

    def send_endless(self, code):
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = bytes(range(256)) * 256
        while not self.head and self.write(chunk):
            pass

    def send_file(self, name, modes, count, n, q, status):
        root = self.server.root
        path = os.path.normpath(os.path.join(root, name))
        if not name or not path.startswith(root + os.sep) or not os.path.isfile(path):
            return self.send_simple(status(404))
        with open(path, "rb") as f:
            data = f.read()
        st = os.stat(path)
        size = len(data)
        etag = '"%x-%x"' % (size, st.st_mtime_ns)
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)

        want = None
        if "norange" not in modes:
            if_range = self.headers.get("If-Range")
            if if_range is None or if_range in (etag, last_modified):
                want = parse_range(self.headers.get("Range"), size)
        if want == "unsatisfiable":
            return self.send_simple(status(416), [("Content-Range", "bytes */%d" % size)])
        start, end = want if want else (0, size)
        code = status(206 if want else 200)
        body = data[start:end]
        if "corrupt" in modes or ("corrupt-range" in modes and code == 206):
            body = bytes(b ^ 0xFF for b in body)

        self.send_response(code)
        ctype = "text/html" if name.endswith(".html") else "application/octet-stream"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Accept-Ranges", "none" if "norange" in modes else "bytes")
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end - 1, size))
        self.end_headers()
        if self.head:
            return

        if "drop" in modes and count < n:
            self.write(body[:int(len(body) * q("frac", 0.5, float))])
            return self.hang_up()
        if "stall" in modes:
            if self.write(body[:q("bytes", 512)]):
                self.wait_for_client_to_leave()
            return
        if "slow" in modes:
            rate = max(q("rate", 65536), 10)
            step = max(rate // 10, 1)
            for i in range(0, len(body), step):
                if not self.write(body[i:i + step]):
                    return
                time.sleep(0.1)
            return
        self.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up or reject our certificate are what the tests
        # are about: not worth a traceback unless asked.
        if self.verbose:
            super().handle_error(request, client_address)


def watch_stdin():
    """Exits the process when a piped stdin closes."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def run():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def main(argv):
    args = argv[1:]
    tls = None
    verbose = False
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--tls" and len(args) >= 2:
            tls = (args.pop(0), args.pop(0))
        elif opt == "--verbose":
            verbose = True
        else:
            sys.exit("usage: httpd.py [--tls CERT KEY] [--verbose] ROOT")
    if len(args) != 1:
        sys.exit("usage: httpd.py [--tls CERT KEY] [--verbose] ROOT")

    server = Server(("127.0.0.1", 0), Handler)
    server.root = os.path.realpath(args[0])
    server.state = State()
    server.verbose = verbose
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        # Handshake in the handler thread, so one slow client blocks no other.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    watch_stdin()
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv)
