"""`make bench BENCH_ARGS="<name> [options]"` runs bench/<name>.py; with no name, lists them."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not module.name.startswith("_")
    )
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        print("Benchmarks (see bench/README.md):", ", ".join(names))
        print('Run one with: make bench BENCH_ARGS="<name> [options]"')
        raise SystemExit(0 if len(sys.argv) < 2 else 2)
    name = sys.argv[1]
    sys.argv = [f"bench.{name}", *sys.argv[2:]]
    module = importlib.import_module(f"bench.{name}")
    module.main()


if __name__ == "__main__":
    main()
