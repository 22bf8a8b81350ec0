"""``rank_eta`` as the emulated Gradio version computes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._simulator import QueueSim, SimJob

__all__ = ["estimate", "estimates"]


def estimate(sim: QueueSim, job: SimJob, rank: int) -> float | None:
    """Seconds until ``job`` (at ``rank`` among the waiting events of its concurrency id) ends.

    Gradio: ``avg_time(fn) + wait_so_far + time_till_available_worker``, and null while
    the function (or any running one) has no finished run to average.
    """
    avg = sim.avg_time(job.endpoint.fn_index)
    if avg is None:
        return None
    limit = sim.limit(job.cid)
    queue = sim.waiting.get(job.cid, [])
    wait_so_far = 0.0
    for ahead in queue[:rank]:
        ahead_avg = sim.avg_time(ahead.endpoint.fn_index)
        if ahead_avg is None:
            return None
        if limit is not None:
            wait_so_far += ahead_avg / limit
    running = sim.running.get(job.cid, [])
    till_worker = 0.0
    if limit is not None and len(running) >= limit and running:
        ends = []
        for other in running:
            other_avg = sim.avg_time(other.endpoint.fn_index)
            if other_avg is None:
                return None
            start = other.started_at if other.started_at is not None else sim.now
            ends.append(start + other_avg)
        till_worker = max(min(ends) - sim.now, 0.0)
    return avg + wait_so_far + till_worker


def estimates(sim: QueueSim, cid: str, queue: list[SimJob]) -> list[float | None]:
    """:func:`estimate` for every event of ``queue`` (rank = index), in one pass."""
    limit = sim.limit(cid)
    till_worker: float | None = 0.0
    running = sim.running.get(cid, [])
    if limit is not None and len(running) >= limit and running:
        ends = []
        for other in running:
            other_avg = sim.avg_time(other.endpoint.fn_index)
            if other_avg is None:
                till_worker = None
                break
            start = other.started_at if other.started_at is not None else sim.now
            ends.append(start + other_avg)
        else:
            till_worker = max(min(ends) - sim.now, 0.0)
    out: list[float | None] = []
    wait_so_far: float | None = 0.0
    for job in queue:
        avg = sim.avg_time(job.endpoint.fn_index)
        if avg is None or wait_so_far is None or till_worker is None:
            out.append(None)
        else:
            out.append(avg + wait_so_far + till_worker)
        if wait_so_far is not None:
            if avg is None:
                wait_so_far = None
            elif limit is not None:
                wait_so_far += avg / limit
    return out
