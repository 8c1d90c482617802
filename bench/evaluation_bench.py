"""Benchmark of the evaluation (not a timed test): 50 indicators × 5 years of monthly measurements, evaluated
as an evaluation report does (every indicator, then every objective), against the target of 200 ms.

Usage:
    python bench/evaluation_bench.py [--indicators 50] [--years 5] [--rounds 15]
Reports the median and the worst round; the time is the evaluation alone (measurements are already loaded, as
the report loads them in one query).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from gouvernance.objectives.evaluation import (
    Direction,
    Indicator,
    Measurement,
    evaluate_indicator,
    evaluate_objective,
)

TARGET_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    rng = random.Random(2027)
    start = date(2027, 1, 1)
    months = args.years * 12
    series = []
    for number in range(args.indicators):
        direction = Direction.UP if number % 2 else Direction.DOWN
        baseline = rng.uniform(10, 100)
        target = baseline * (1.5 if direction is Direction.UP else 0.5)
        indicator = Indicator(
            f"i{number}", f"Indicateur {number}", "%", baseline, start, target,
            start + timedelta(days=365 * args.years + 180), direction,
        )  # fmt: skip
        values = [
            Measurement(start + timedelta(days=round(30.44 * month)), baseline + rng.gauss(0.3, 1.0) * month)
            for month in range(1, months + 1)
        ]
        series.append((indicator, values))
    as_of = start + timedelta(days=365 * args.years)

    timings = []
    for _ in range(args.rounds):
        began = time.perf_counter()
        evaluations = [evaluate_indicator(indicator, values, as_of) for indicator, values in series]
        for first in range(0, len(evaluations), 5):  # five indicators per objective
            evaluate_objective(evaluations[first : first + 5])
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    print(
        f"{args.indicators} indicators × {months} monthly measurements: median {median:.1f} ms, "
        f"worst {max(timings):.1f} ms over {args.rounds} rounds (target < {TARGET_MS} ms: "
        f"{'met' if median < TARGET_MS else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
