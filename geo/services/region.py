"""One task fanned out over the cities (or districts) of a region, on a Dask cluster.

Each unit of work is one city or district: independent of the others, it loads only its own
part of the walking network (``local``) and writes its result to the database itself, so the
coordinator holds nothing but progress, and a run that stopped is resumed by skipping the
units that already have a result (the checkpoint is the result row).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from geo.analysis.rules import RuleProfile, load_profile
from geo.models import District, RegionResult, RegionRun

from . import region_worker

LEVEL_DIGITS = {"city": 4, "district": 6}
TASKS = ["coverage", "checks", "facility", "members", "pairing"]


def _coverage(code: str, profile: RuleProfile) -> Any:
    from .coverage import measure, run_coverage

    return run_coverage(code, profile.walk_reach_m, profile, measured=measure(code, local=True))


def _pairing(code: str, profile: RuleProfile) -> Any:
    from .pairing import build_problem, propose

    inputs = build_problem(code, "walk", profile, None, "auto", None, local=True)
    return propose(inputs, profile)[1]


def _rules(name: str) -> Callable[[str, RuleProfile], Any]:
    def run(code: str, profile: RuleProfile) -> Any:
        from . import rules

        return getattr(rules, name)(code, profile)
    return run


RUNNERS: dict[str, Callable[[str, RuleProfile], Any]] = {
    "coverage": _coverage, "pairing": _pairing, "checks": _rules("run_grid_checks"),
    "facility": _rules("run_facility"), "members": _rules("run_members"),
}


def units_of(scope: str, level: str) -> list[str]:
    """The cities or districts of ``scope`` (code prefixes of its districts), in order."""
    digits = LEVEL_DIGITS[level]
    codes = District.objects.filter(code__startswith=scope).values_list("code", flat=True)
    return sorted({c[:digits] for c in codes if len(scope) <= digits})


def start_run(task: str, scope: str, level: str, profile: str | None) -> RegionRun:
    """A new run (nothing computed yet)."""
    return RegionRun.objects.create(task=task, scope=scope, level=level, profile=profile or "")


def pending(run: RegionRun) -> list[str]:
    """The run's units without a result yet: all of them for a new run."""
    done = set(run.results.values_list("code", flat=True))
    return [c for c in units_of(run.scope, run.level) if c not in done]


def run_unit(run_id: int, task: str, code: str, profile_name: str | None) -> dict[str, Any]:
    """Run ``task`` for one city or district and store its result (in a worker, or here).

    Returns what the coordinator shows: the code, seconds and this process's peak memory.
    """
    profile = load_profile(profile_name or None)
    t0 = time.perf_counter()
    payload = json.loads(json.dumps(RUNNERS[task](code, profile), cls=DjangoJSONEncoder))
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    RegionResult.objects.update_or_create(run_id=run_id, code=code, defaults={
        "payload": payload, "seconds": round(seconds, 3), "peak_rss_mb": round(rss_mb, 1),
        "worker": f"{socket.gethostname()}:{os.getpid()}"})
    connection.close()  # a worker thread's connection is not reused by the next task
    return {"code": code, "seconds": seconds, "peak_rss_mb": rss_mb}


def run_serial(run: RegionRun, codes: list[str]) -> Iterator[dict[str, Any]]:
    """Each unit in this process, in order (the reference a fan-out must agree with)."""
    for code in codes:
        yield run_unit(run.pk, run.task, code, run.profile or None)


def run_dask(run: RegionRun, codes: list[str], scheduler: str | None, workers: int,
             memory_limit: str = "auto") -> Iterator[dict[str, Any]]:
    """Each unit as a task on a Dask cluster, yielding results as they finish.

    ``scheduler``: the address of a running cluster (``tcp://host:8786``) whose workers have
    this project on their path and the same ``DATABASE_URL``; None starts a ``LocalCluster``
    of ``workers`` processes with one thread each (the work is CPU-bound Python and numpy).
    """
    from distributed import Client, LocalCluster, as_completed

    # The workers read the same database; the coordinator's open connection is not theirs.
    connection.close()
    cluster = None if scheduler else LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit=memory_limit, silence_logs=logging.ERROR)
    try:
        with Client(scheduler or cluster) as client:
            futures = [client.submit(region_worker.run_unit, run.pk, run.task, code,
                                     run.profile or None,
                                     key=f"{run.task}-{run.pk}-{code}", pure=False)
                       for code in codes]
            for future in as_completed(futures):
                yield future.result()
    finally:
        if cluster is not None:
            cluster.close()


def finish(run: RegionRun) -> None:
    """Mark the run finished when every unit has its result."""
    if not pending(run):
        RegionRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        run.refresh_from_db()
