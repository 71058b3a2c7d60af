"""Render one stored fault experiment's timeline as a PNG (for docs/img/).

    python benchmarks/reliability_chart.py data/results/experiments/<run>-reliability.json \
        --fault kill-leader --setting acks1 --run 1 --out docs/img/reliability-kill-leader.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import vl_convert as vlc

from streamcompare.criteria.reliability import timeline_chart


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path)
    parser.add_argument("--fault", default="kill-leader")
    parser.add_argument("--setting", default="acks1")
    parser.add_argument("--run", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = json.loads(args.experiment.read_text())["rows"]
    row = next((r for r in rows if r["fault"] == args.fault and r["setting"] == args.setting
                and r["run"] == args.run), None)
    if row is None:
        raise SystemExit(f"no row for {args.fault} / {args.setting} / run {args.run} in {args.experiment}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(vlc.vegalite_to_png(timeline_chart(row).to_dict(), scale=1.0))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
