"""Drive N operations through K client threads and time them.

Each thread owns one client (for HTTP: one logged-in session); the threads take operations
from a shared count until N are done. To keep a noisy machine from favouring one side, two
loads are measured in alternating rounds (A B, B A, …) and summed.
"""

import statistics
import threading
import time
from dataclasses import dataclass, field


class OperationFailed(RuntimeError):
    pass


@dataclass
class Load:
    """Operations done and the wall time they took, possibly summed over rounds."""

    operations: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    #: the rate of each load summed into this one (each round of ``compare``)
    rates: list = field(default_factory=list)

    @property
    def rate(self):
        return self.operations / self.seconds if self.seconds else 0.0

    def add(self, other):
        self.operations += other.operations
        self.seconds += other.seconds
        self.latencies.extend(other.latencies)
        self.rates.append(other.rate)

    def summary(self):
        ms = sorted(latency * 1000 for latency in self.latencies)
        if not ms:
            return {"operations": 0, "seconds": 0.0}
        return {
            "operations": self.operations,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 2),
            "latency_ms": {
                "mean": round(statistics.fmean(ms), 2),
                "p50": round(ms[len(ms) // 2], 2),
                "p95": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 2),
                "max": round(ms[-1], 2),
            },
        }


def run_load(operation, clients, count):
    """Run ``operation(client)`` ``count`` times spread over one thread per client.

    ``operation`` raises :class:`OperationFailed` on a wrong answer; the first failure stops
    the load and is raised here, because a benchmark of failing requests means nothing.
    """
    remaining = [count]
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    latencies, errors = [], []

    def take():
        with lock:
            if remaining[0] <= 0 or errors:
                return False
            remaining[0] -= 1
            return True

    def worker(client):
        start.wait()
        mine = []
        try:
            while take():
                began = time.perf_counter()
                operation(client)
                mine.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - handed to the main thread and raised there
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return Load(operations=len(latencies), seconds=elapsed, latencies=latencies)


def compare(ours, baseline, *, count, rounds=2):
    """Measure two loads, each ``(operation, clients)``, ``count`` operations apiece, alternating
    in ``rounds`` slices. Returns ``(ours_load, baseline_load)``."""
    totals = {"ours": Load(), "baseline": Load()}
    sides = {"ours": ours, "baseline": baseline}
    slices = [count // rounds + (1 if i < count % rounds else 0) for i in range(rounds)]
    for i, size in enumerate(slices):
        order = ("baseline", "ours") if i % 2 == 0 else ("ours", "baseline")
        for side in order:
            operation, clients = sides[side]
            totals[side].add(run_load(operation, clients, size))
    return totals["ours"], totals["baseline"]


def ratios_by_round(ours, baseline):
    """Ours over the baseline in each round of ``compare``: how far the machine's mood moved the ratio
    while the code stayed the same (the summed ratio is what counts against a target)."""
    return [round(o / b, 3) if b else 0.0 for o, b in zip(ours.rates, baseline.rates, strict=True)]


def compare_over_sessions(ctx, ours, baseline, sessions):
    """``ours`` and ``baseline`` (each ``operation(session)``) over the same HTTP sessions: ``ctx.warmup`` of each
    first (the baseline's before ours), then ``compare``d; the sessions are closed after. Returns
    ``(ours_load, baseline_load)``."""
    try:
        if ctx.warmup:
            run_load(baseline, sessions, ctx.warmup)
            run_load(ours, sessions, ctx.warmup)
        return compare((ours, sessions), (baseline, sessions), count=ctx.requests, rounds=ctx.rounds)
    finally:
        for session in sessions:
            session.close()
