"""Munis benchmarks: each compares one of our paths with a bare baseline measured in the same run.

Run with ``python -m bench`` (``make bench``). A benchmark is a function in a module of
``bench/benchmarks/``, registered with ``@register``; it receives a :class:`bench.context.BenchContext`
(a fresh database, Django set up, a lazily started HTTP server) and returns one or more
:class:`Comparison`. Figures are rates (higher is better), so ``ratio = ours / baseline``, unless a
comparison says ``lower_is_better`` (a latency): then the ratio must stay at or under its target.

This module stays free of Django imports: the gunicorn workers import ``bench.urls`` through it.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Comparison:
    """One row of the results table: our figure against the baseline's, with the ratio we aim for
    (at least ``target`` for rates; at most ``target`` when ``lower_is_better``; None: no target,
    the ratio is only reported)."""

    name: str
    ours: float
    baseline: float
    target: float | None
    unit: str = "ops/s"
    details: dict = field(default_factory=dict)
    lower_is_better: bool = False

    @property
    def ratio(self):
        return self.ours / self.baseline if self.baseline else 0.0

    @property
    def passed(self):
        """True or False against the target; None without one."""
        if self.target is None:
            return None
        if self.lower_is_better:
            return 0 < self.ratio <= self.target
        return self.ratio >= self.target


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Callable


BENCHMARKS: dict[str, Benchmark] = {}


def register(name, description):
    """Decorator: ``@register("permit_submission", "…")`` on ``def run(ctx) -> Comparison | list[Comparison]``."""

    def decorate(func):
        if name in BENCHMARKS:
            raise ValueError(f"Benchmark {name!r} is registered twice.")
        BENCHMARKS[name] = Benchmark(name=name, description=description, run=func)
        return func

    return decorate


def discover():
    """Import every module of ``bench.benchmarks`` so their ``@register`` calls run."""
    from bench import benchmarks

    for module in pkgutil.iter_modules(benchmarks.__path__):
        importlib.import_module(f"{benchmarks.__name__}.{module.name}")
    return BENCHMARKS
