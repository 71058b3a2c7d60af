"""Tables for people from reliability rows: one line per (fault, setting), median and range of repeats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from streamcompare.probes.reconcile import spread

COUNTS = (("lost", "lost acked"), ("duplicates", "duplicates"), ("reordered", "reordered"),
          ("failed", "failed"))


def _fmt(s: Mapping[str, Any], digits: int = 0) -> str:
    if s["median"] is None:
        return "n/a"
    med, lo, hi = s["median"], s["min"], s["max"]
    text = f"{med:,.{digits}f}"
    if s["runs"] > 1 and lo != hi:
        text += f" ({lo:,.{digits}f}-{hi:,.{digits}f})"
    return text


def cells(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, list[Mapping[str, Any]]]]:
    """Rows grouped by (fault, setting label), in first-seen order."""
    grouped: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((str(row["fault"]), str(row["setting_label"])), []).append(row)
    return [(f, s, rs) for (f, s), rs in grouped.items()]


def matrix_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Median (min-max over repeats) of each count, the unavailability and the ISR recovery time."""
    out = []
    for fault, label, group in cells(rows):
        line: dict[str, Any] = {"system": group[0].get("system", "kafka"), "fault": fault, "setting": label,
                                "runs": len(group),
                                "failed runs": sum(1 for r in group if r.get("error"))}
        acked = spread([r.get("acked") for r in group])["median"]
        line["acked (median)"] = "n/a" if acked is None else f"{acked:,.0f}"
        for key, heading in COUNTS:
            line[heading] = _fmt(spread([r.get(key) for r in group]))
        line["longest gap without acks (s)"] = _fmt(spread([r.get("unavailable_s") for r in group]), 1)
        line["ISR full again after (s)"] = _fmt(spread([r.get("isr_recovery_s") for r in group]), 1)
        line["p99 during fault (ms)"] = _fmt(spread([(r.get("latency") or {}).get("during", {}).get("p99_ms")
                                                     for r in group]))
        line["healthy after"] = "yes" if all(r.get("healthy_after") for r in group) else "NO"
        out.append(line)
    return pd.DataFrame(out)


def timeline_frame(row: Mapping[str, Any]) -> pd.DataFrame:
    """One run's acknowledgements (and failures) per bin, as records/s, with time in seconds."""
    tl = row["timeline"]
    bin_s = tl["bin_ms"] / 1000
    acked, failed = tl["acked"], tl.get("failed") or [0] * len(tl["acked"])
    return pd.DataFrame({"t_s": [round(i * bin_s, 3) for i in range(len(acked))],
                         "acked_per_s": [a / bin_s for a in acked],
                         "failed_per_s": [f / bin_s for f in failed[:len(acked)]]})
