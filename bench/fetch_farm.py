"""P3: a fake feed farm on loopback, fetched through the guarded client.

1,000 feeds spread over 100 host names (all answering on 127.0.0.2, which the bench
declares public with the test-only setting): 80 % normal, 5 % drip one byte every 0.5 s,
5 % answer 500, 3 % are gzip bombs (510 KiB → 512 MiB), 2 % redirect to themselves,
5 % answer 304 to a conditional GET. The farm runs in a child process so the client's
peak memory is its own. Each cycle is timed next to two baselines in the same run: the
same client on an all-normal farm, and plain ``http.client`` with no guard at all.

    .venv/bin/python -m bench.fetch_farm [--feeds 1000] [--workers 16] [--deadline 3]
                                          [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import multiprocessing
import random
import resource
import statistics
import struct
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FARM_IP = "127.0.0.2"
HOSTS = 100
MIB = 1024 * 1024
SHARES = {"drip": 0.05, "5xx": 0.05, "bomb": 0.03, "loop": 0.02, "304": 0.05}
ANSWERS = {
    "normal": "normal",
    "drip": "drip",
    "5xx": "error",
    "bomb": "bomb",
    "loop": "loop",
    "304": "unchanged",
}
EXPECTED = {
    "normal": "ok",
    "drip": "FetchTimeoutError",
    "5xx": "HTTPStatusError",
    "bomb": "TooLargeError",
    "loop": "TooManyRedirectsError",
    "304": "not-modified",
}


def feed_kinds(count: int) -> list[str]:
    kinds = [kind for kind, share in SHARES.items() for _ in range(round(count * share))]
    kinds += ["normal"] * (count - len(kinds))
    random.Random(7).shuffle(kinds)
    return kinds


def gzip_bomb(decoded_mib: int = 512) -> bytes:
    """One gzip member inflating to ``decoded_mib`` MiB of zeros, built without holding it."""
    zeros = bytes(MIB)
    maker = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = maker.compress(zeros) + maker.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(decoded_mib):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (decoded_mib * MIB) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * decoded_mib + final + trailer


def feed_body(number: int) -> bytes:
    items = "".join(
        f"<item><title>Story {number}-{i}</title><link>http://site.farm.test/{number}/{i}</link>"
        f"<description>{'Words of the story. ' * 20}</description></item>"
        for i in range(20)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


class FarmHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FarmServer

    def do_GET(self) -> None:
        _, group, number = self.path.split("/")
        kind = "normal" if group == "plain" else self.server.kinds[int(number)]
        answer = getattr(self, f"answer_{ANSWERS[kind]}")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            answer(int(number))  # the errors mean the client gave up, as it should

    def answer_normal(self, number: int) -> None:
        body = feed_body(number)
        compress = "gzip" in self.headers.get("Accept-Encoding", "")
        self.reply(200, gzip.compress(body) if compress else body,
                   {"Content-Encoding": "gzip"} if compress else {})  # fmt: skip

    def answer_drip(self, number: int) -> None:
        self.reply(200, b"", {"Content-Length": "100000"})
        for _ in range(120):
            time.sleep(0.5)
            self.wfile.write(b"x")

    def answer_error(self, number: int) -> None:
        self.reply(500, b"internal error")

    def answer_bomb(self, number: int) -> None:
        self.reply(200, self.server.bomb, {"Content-Encoding": "gzip"})

    def answer_loop(self, number: int) -> None:
        self.reply(302, b"", {"Location": self.path})

    def answer_unchanged(self, number: int) -> None:
        if self.headers.get("If-None-Match") == '"farm"':
            self.reply(304, b"", {"ETag": '"farm"'})
        else:
            self.answer_normal(number)

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        headers = headers or {}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class FarmServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, feeds: int) -> None:
        self.kinds = feed_kinds(feeds)
        self.bomb = gzip_bomb()
        super().__init__((FARM_IP, 0), FarmHandler)


def serve_farm(feeds: int, ready: multiprocessing.connection.Connection) -> None:
    server = FarmServer(feeds)
    ready.send(server.server_address[1])
    server.serve_forever(poll_interval=0.1)


def farm_resolver(host: str, port: int) -> list[str]:
    if not host.endswith(".farm.test"):
        raise OSError(f"{host} is not in the farm")
    return [FARM_IP]


def configure(*, port: int, deadline: float) -> None:
    from django.conf import settings

    settings.configure(
        SITE_URL="http://127.0.0.1:8000",
        FETCH_RESOLVER=farm_resolver,
        FETCH_TEST_PUBLIC_ADDRESSES={FARM_IP},
        FETCH_ALLOWED_PORTS=[port],
        FETCH_TIMEOUT=deadline,
        FETCH_READ_TIMEOUT=deadline,
    )


def fetch_guarded(port: int, group: str, number: int) -> str:
    from tidings.common.http import FetchError, fetch_url

    url = f"http://site{number % HOSTS}.farm.test:{port}/{group}/{number}"
    try:
        result = fetch_url(url=url, etag='"farm"')
    except FetchError as error:
        return type(error).__name__
    except Exception as error:  # a worker must never die: count it loudly instead
        return f"CRASH {type(error).__name__}"
    return "not-modified" if result.not_modified else "ok"


def fetch_plain(port: int, group: str, number: int) -> str:
    connection = http.client.HTTPConnection(FARM_IP, port, timeout=10)
    try:
        connection.request("GET", f"/{group}/{number}")
        response = connection.getresponse()
        response.read()
        return "ok" if response.status == 200 else str(response.status)
    finally:
        connection.close()


def cycle(fetch, *, port: int, group: str, feeds: int, workers: int) -> tuple[float, list[str]]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda n: fetch(port, group, n), range(feeds)))
    return time.monotonic() - started, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--deadline", type=float, default=3.0, help="total fetch deadline, s")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    receiver, sender = multiprocessing.Pipe(duplex=False)
    farm = multiprocessing.Process(target=serve_farm, args=(args.feeds, sender), daemon=True)
    farm.start()
    try:
        port = receiver.recv()
        configure(port=port, deadline=args.deadline)
        report(args=args, port=port)
    finally:
        farm.terminate()
        farm.join(timeout=5)


def report(*, args: argparse.Namespace, port: int) -> None:
    from tidings.common.http.politeness import holds_clear

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs: dict[str, list[float]] = {"mixed": [], "all-normal": [], "plain http.client": []}
    kinds = feed_kinds(args.feeds)
    table: Counter[tuple[str, str]] = Counter()
    for _ in range(args.repeats):
        holds_clear()
        seconds, outcomes = cycle(fetch_guarded, port=port, group="feed",
                                  feeds=args.feeds, workers=args.workers)  # fmt: skip
        runs["mixed"].append(seconds)
        table.update(zip(kinds, outcomes, strict=True))
        for name, fetch, group in [("all-normal", fetch_guarded, "plain"),
                                   ("plain http.client", fetch_plain, "plain")]:  # fmt: skip
            seconds, outcomes = cycle(fetch, port=port, group=group,
                                      feeds=args.feeds, workers=args.workers)  # fmt: skip
            assert set(outcomes) == {"ok"}, Counter(outcomes)
            runs[name].append(seconds)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_report(args=args, runs=runs, table=table, rss=(rss_before, rss_peak))


def print_report(*, args, runs, table, rss) -> None:  # type: ignore[no-untyped-def]
    print(f"{args.feeds} feeds, {args.workers} workers, deadline {args.deadline:g} s, "
          f"{args.repeats} repeats (medians)")  # fmt: skip
    medians = {name: statistics.median(seconds) for name, seconds in runs.items()}
    drips = feed_kinds(args.feeds).count("drip")
    floor = drips * args.deadline / args.workers  # each drip holds a worker to the deadline
    print(f"  mixed farm        {medians['mixed']:6.2f} s/cycle; floor set by the drips "
          f"({drips} x {args.deadline:g} s / {args.workers} workers) {floor:.2f} s; "
          f"ratio {medians['mixed'] / floor:.2f}")  # fmt: skip
    for name in ("all-normal", "plain http.client"):
        print(f"  {name:<17} {medians[name]:6.2f} s/cycle {args.feeds / medians[name]:7.0f} "
              f"feeds/s  {medians[name] / medians['plain http.client']:.2f}x plain")  # fmt: skip
    print(f"  client peak RSS {rss[1]:.0f} MiB (before the first cycle {rss[0]:.0f} MiB)")
    print("  outcomes per kind (all repeats):")
    bad_total = bad_errored = crashes = 0
    for (kind, outcome), count in sorted(table.items()):
        mark = "" if EXPECTED[kind] == outcome else "   <-- unexpected"
        print(f"    {kind:<7} {outcome:<24} {count:5d}{mark}")
        crashes += count if outcome.startswith("CRASH") else 0
        if kind not in {"normal", "304"}:
            bad_total += count
            bad_errored += count if outcome.endswith("Error") else 0
    print(f"  bad feeds that errored: {bad_errored}/{bad_total}; worker crashes: {crashes}")
    unexpected = sum(count for (kind, outcome), count in table.items() if EXPECTED[kind] != outcome)
    if unexpected or crashes or rss[1] > 512:
        raise SystemExit(f"P3 failed: {unexpected} unexpected outcomes, {crashes} crashes")


if __name__ == "__main__":
    main()
