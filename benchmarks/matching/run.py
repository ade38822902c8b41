"""Run every matching benchmark and print (and write) the markdown tables.

    .venv/bin/python -m benchmarks.matching.run                 # 1,000 / 10,000 / 100,000 people
    .venv/bin/python -m benchmarks.matching.run --sizes 1000    # a quick look

Each measurement runs in its own process (benchmarks.matching.measure), so peak memory is per run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

KINDS = ("peer_pairs", "mentoring", "onboarding", "study_groups")
OUT = Path(__file__).with_name("results.md")


def _run(args: list[str], timeout: float) -> dict[str, Any] | None:
    command = [sys.executable, "-m", "benchmarks.matching.measure", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout:.0f} s: {' '.join(args)}", file=sys.stderr)
        return None
    except subprocess.CalledProcessError as error:
        print(f"  failed: {' '.join(args)}\n{error.stderr[-2000:]}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _exact_wanted(kind: str, n: int, exact_pairs_up_to: int, exact_bipartite_up_to: int) -> bool:
    if kind == "peer_pairs":
        return n <= exact_pairs_up_to
    if kind in ("mentoring", "onboarding"):
        return n <= exact_bipartite_up_to
    return False


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _share(part: int, whole: int) -> str:
    return _pct(part / whole) if whole else "n/a"


def _row(r: dict[str, Any]) -> str:
    ours, rand = r["ours"], r["random"]
    exact = r.get("exact")
    ratio = _pct(ours["score"] / exact) if exact else "n/a"
    rand_ratio = _pct(max(rand["score"], 0.0) / exact) if exact else "n/a"
    proved = "" if r.get("exact_optimal", True) else " (best found)"
    most = r.get("most_placed")
    placed = f"{r['placed']:,} / {most:,}" if most is not None else "n/a"
    learners = max(ours["learners"], 1)
    return (
        f"| {r.get('population', 'synthetic')} | {r['kind']} | {r['n']:,} | {r['seconds']:.2f} "
        f"| {r['peak_rss_mib']:.0f} | {r['rss_before_mib']:.0f} | {ratio}{proved} | {rand_ratio} | {placed} "
        f"| {_pct(ours['learners_with_teacher'] / learners)} / {_pct(rand['learners_with_teacher'] / learners)} "
        f"/ {_pct(ours['learners_with_a_possible_teacher'] / learners)} "
        f"| {_share(ours['groups_sharing_an_hour'], ours['groups_with_known_hours'])} "
        f"/ {_share(rand['groups_sharing_an_hour'], rand['groups_with_known_hours'])} "
        f"| {_share(ours['groups_cross_department'], r['matches'])} "
        f"/ {_share(rand['groups_cross_department'], r['random_groups'])} "
        f"| {ours['repeats']} / {rand['repeats']} | {ours['other_violations']} / {rand['other_violations']} "
        f"| {ours['dropped']} / {rand['dropped']} | {r['unmatched_with_reason']} |"
    )


HEADER = (
    "| population | kind | people | time (s) | peak RSS (MiB) | RSS before match (MiB) | score vs exact "
    "| random vs exact | placed / most placeable | learners with a teacher: ours / random / best possible "
    "| groups sharing an hour: ours / random | cross-department groups: ours / random "
    "| repeats in cool-down ours / random | other hard-constraint breaks ours / random "
    "| dropped silently ours / random | told why unmatched |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS))
    parser.add_argument("--exact-pairs-up-to", type=int, default=1000)
    parser.add_argument("--exact-bipartite-up-to", type=int, default=10000)
    parser.add_argument("--group-exact-sizes", type=int, nargs="*", default=[12, 16, 20])
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--populations", nargs="+", default=["synthetic", "skewed"])
    args = parser.parse_args()
    rows: list[str] = []
    for population, kind in itertools.product(args.populations, args.kinds):
        for n in args.sizes:
            extra = (
                ["--exact"]
                if _exact_wanted(kind, n, args.exact_pairs_up_to, args.exact_bipartite_up_to)
                else []
            )
            print(f"{population} {kind} {n}{' (with exact)' if extra else ''}", file=sys.stderr, flush=True)
            result = _run([kind, str(n), *extra, "--population", population], args.timeout)
            if result:
                rows.append(_row(result))
                print(rows[-1], flush=True)
    group_rows: list[str] = []
    if "study_groups" in args.kinds:
        for n in args.group_exact_sizes:
            print(f"study_groups {n} (CP-SAT)", file=sys.stderr, flush=True)
            result = _run(["study_groups", str(n), "--exact", "--exact-seconds", "60"], args.timeout)
            if result:
                group_rows.append(_row(result))
                print(group_rows[-1], flush=True)
    text = "\n".join(
        [
            "### At scale",
            "",
            HEADER,
            *rows,
            "",
            "### Study groups against an integer program (OR-Tools CP-SAT, 60 s limit)",
            "",
            HEADER,
            *group_rows,
            "",
        ]
    )
    OUT.write_text(text)
    print(f"\nwritten to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
