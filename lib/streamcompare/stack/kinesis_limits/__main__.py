"""`python -m streamcompare.stack.kinesis_limits --port P --upstream URL [--settings FILE]`: the process
the stack starts in front of kinesis-mock."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from aiohttp import web

from streamcompare.stack.kinesis_limits.proxy import Layer, make_app
from streamcompare.stack.kinesis_limits.settings import Faults, Limits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="kinesis-mock's plain HTTP endpoint")
    parser.add_argument("--settings", type=Path, help='JSON file: {"limits": {...}, "faults": {...}}')
    args = parser.parse_args(argv)
    settings = json.loads(args.settings.read_text()) if args.settings else {}
    layer = Layer(args.upstream, Limits.from_dict(settings.get("limits")), Faults.from_dict(settings.get("faults")))
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"kinesis fidelity layer on http://{args.host}:{args.port} -> {args.upstream}; "
          f"{json.dumps(layer.describe())}", flush=True)
    web.run_app(make_app(layer), host=args.host, port=args.port, access_log=None, print=None,
                handle_signals=True)


if __name__ == "__main__":
    main()
