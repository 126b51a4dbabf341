"""Coverage-guided fuzzing of every parser that reads what a source sends (SECURITY.md R10).

    .venv/bin/python -m bench.fuzz_feeds [-max_total_time=600] [-runs=N] [--seeds N]

Needs ``atheris`` (``pip install atheris``; a dev tool, not a runtime dependency). Seeds
are copied from ../shared/data/feeds into a temporary corpus folder (libFuzzer writes new
inputs there, never into the shared data). Each input goes through ``parse_feed``,
``parse_opml``, ``parse_sitemap``, ``parse_newsml_g2``, ``parse_ninjs``,
``discover_feeds`` and ``sanitise_html``; any exception other than the parsers' own
``ApplicationError`` subclasses is a crash, as is an input over 5 s or 512 MB.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared/data/feeds"
DEFAULT_ARGS = ["-max_total_time=60", "-timeout=5", "-rss_limit_mb=512", "-max_len=65536"]
MAX_SEED_BYTES = 65_536


def seed_corpus(source: Path, count: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tidings-fuzz-"))
    files = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix in {".xml", ".json"})
    for index, path in enumerate(p for p in files if p.stat().st_size <= MAX_SEED_BYTES):
        if index >= count:
            break
        shutil.copyfile(path, folder / f"{index:05d}{path.suffix}")
    return folder


def main() -> None:
    try:
        import atheris
    except ImportError:
        raise SystemExit("bench.fuzz_feeds needs atheris: .venv/bin/pip install atheris") from None
    with atheris.instrument_imports():
        import feedparser  # noqa: F401  (instrumented so its branches guide the fuzzer)

        from tidings.common.errors import ApplicationError
        from tidings.common.sanitise import sanitise_html
        from tidings.ingestion.discover import discover_feeds
        from tidings.ingestion.feeds import parse_feed
        from tidings.ingestion.opml import parse_opml
        from tidings.ingestion.sitemaps import parse_sitemap
        from tidings.ingestion.wire import parse_newsml_g2, parse_ninjs

    parsers = (
        lambda body: parse_feed(body=body, url="https://fuzz.example/feed"),
        lambda body: parse_opml(body=body),
        lambda body: parse_sitemap(body=body),
        lambda body: parse_newsml_g2(body=body),
        lambda body: parse_ninjs(body=body),
        lambda body: discover_feeds(html=body, url="https://fuzz.example/"),
        lambda body: sanitise_html(body.decode("utf-8", "replace")),
    )

    def test_one_input(body: bytes) -> None:
        for parse in parsers:
            # A clean refusal is the expected outcome for most mutations.
            with contextlib.suppress(ApplicationError):
                parse(body)

    seeds = 400
    argv = [arg for arg in sys.argv if not arg.startswith("--seeds")]
    for arg in sys.argv:
        if arg.startswith("--seeds="):
            seeds = int(arg.split("=", 1)[1])
    corpus = seed_corpus(DEFAULT_SEEDS, seeds)
    given = {arg.split("=", 1)[0] for arg in argv[1:]}
    defaults = [arg for arg in DEFAULT_ARGS if arg.split("=", 1)[0] not in given]
    artifacts = Path(tempfile.mkdtemp(prefix="tidings-fuzz-crashes-"))
    defaults.append(f"-artifact_prefix={artifacts}/")
    print(f"seed corpus: {corpus} ({len(list(corpus.iterdir()))} files)", flush=True)
    print(f"crash inputs, if any, are written to {artifacts}", flush=True)
    atheris.Setup([argv[0], *defaults, *argv[1:], str(corpus)], test_one_input)
    try:
        atheris.Fuzz()
    finally:
        shutil.rmtree(corpus, ignore_errors=True)


if __name__ == "__main__":
    main()
