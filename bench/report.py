"""The results table on stdout and ``bench/results/latest.json``."""

import datetime
import json
import os
import platform
import sys
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def environment():
    import django
    from django.db import connection

    return {
        "db_vendor": connection.vendor,
        "db_version": _db_version(connection),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def _db_version(connection):
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return connection.Database.sqlite_version


def print_table(comparisons, out=sys.stdout):
    header = ("benchmark", "ours", "baseline", "ratio", "target", "result")
    rows = [
        (c.name, f"{c.ours:.1f} {c.unit}", f"{c.baseline:.1f} {c.unit}", f"{c.ratio:.2f}x", _target(c),
         {True: "PASS", False: "FAIL", None: "-"}[c.passed])
        for c in comparisons
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header), file=out)
    print(line.format(*("-" * w for w in widths)), file=out)
    for row in rows:
        print(line.format(*row), file=out)
    failed = [c.name for c in comparisons if c.passed is False]
    if failed:
        print(f"\nBelow target: {', '.join(failed)} (reported, not an error).", file=out)


def _target(comparison):
    if comparison.target is None:
        return "none"
    return f"{'<=' if comparison.lower_is_better else '>='} {comparison.target:.2f}x"


def write_json(comparisons, options, crashed=(), path=None):
    path = Path(path) if path else RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "environment": environment(),
        "options": options,
        "results": [
            {"name": c.name, "unit": c.unit, "ours": round(c.ours, 3), "baseline": round(c.baseline, 3),
             "ratio": round(c.ratio, 4), "target": c.target, "lower_is_better": c.lower_is_better,
             "passed": c.passed, "details": c.details}
            for c in comparisons
        ],
        "crashed": list(crashed),
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
