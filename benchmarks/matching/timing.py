"""Time `match()` on one instance in fresh processes, alternating between this checkout and another.

    python -m benchmarks.matching.timing KIND N [--population P] [--runs R] [--against PATH]

PATH is another checkout of this repository (`git worktree add /tmp/base REV`) sharing this virtualenv. Both
run the very same participants and history (built once here, pickled, read by each run), one fresh process
per run, alternating, so that a shared machine's changing load falls on both alike. Each run prints its wall
time, CPU time, peak memory and a digest of the whole result (every match's members, roles, score, skill and
reasons, and every unmatched reason): equal digests mean the two checkouts match alike.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.matching import skewed
from benchmarks.matching.measure import settings_for
from benchmarks.matching.synthetic import organisation, random_history

ONE_RUN = """
import hashlib, json, pickle, resource, sys, time
from benchmarks.matching.measure import settings_for
from matching import match
kind, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    people, history = pickle.load(f)
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
result = match(people, settings_for(kind), history, seed=1)
wall = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF)
digest = hashlib.sha256()
for m in result.matches:
    digest.update(repr((tuple(m.members), m.roles, round(m.score, 9), m.skill, m.reasons)).encode())
for u in result.unmatched:
    digest.update(repr((u.participant_id, u.code, u.text)).encode())
print(json.dumps({
    "wall": wall,
    "user": after.ru_utime - before.ru_utime,
    "sys": after.ru_stime - before.ru_stime,
    "peak_rss_mib": after.ru_maxrss / 1024,
    "total": sum(m.score for m in result.matches),
    "digest": digest.hexdigest()[:12],
}))
"""


def instance(kind: str, n: int, population: str, folder: Path) -> Path:
    """The pickled (participants, history), as `measure.py` builds them for seed 1."""
    path = folder / f"{kind}_{n}_{population}.pickle"
    if not path.exists():
        s = settings_for(kind)
        if population == "skewed":
            people = skewed.organisation(n, 1)
            history = skewed.own_history(people, s, rounds=2 if n <= 10_000 else 1, seed=1)
        else:
            people = organisation(n, 1)
            history = random_history(people, rounds=3 if n > 100 else 1, group_size=s.group_size, seed=1)
        with open(path, "wb") as f:
            pickle.dump((people, history), f)
    return path


def one_run(checkout: Path, kind: str, path: Path) -> dict[str, float | str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", ONE_RUN, kind, str(path)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, float | str] = json.loads(done.stdout.splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["mentoring", "peer_pairs", "onboarding", "study_groups"])
    parser.add_argument("n", type=int)
    parser.add_argument("--population", choices=["synthetic", "skewed"], default="synthetic")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout, run alternately with this one")
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "peerlearn-matching-timing"
    folder.mkdir(exist_ok=True)
    path = instance(args.kind, args.n, args.population, folder)
    here = Path(__file__).resolve().parents[2]
    checkouts = [args.against.resolve(), here] if args.against else [here]
    runs: dict[Path, list[dict[str, float | str]]] = {c: [] for c in checkouts}
    for _ in range(args.runs):
        for checkout in checkouts:
            runs[checkout].append(one_run(checkout, args.kind, path))
    for checkout, results in runs.items():
        walls = [float(r["wall"]) for r in results]
        print(
            json.dumps(
                {
                    "checkout": str(checkout),
                    "kind": args.kind,
                    "n": args.n,
                    "population": args.population,
                    "walls": [round(w, 2) for w in walls],
                    "median": round(statistics.median(walls), 2),
                    "min": round(min(walls), 2),
                    "sys": [round(float(r["sys"]), 2) for r in results],
                    "peak_rss_mib": round(max(float(r["peak_rss_mib"]) for r in results)),
                    "total": round(float(results[0]["total"]), 1),
                    "digests": sorted({str(r["digest"]) for r in results}),
                }
            )
        )


if __name__ == "__main__":
    main()
