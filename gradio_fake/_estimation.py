"""``rank_eta`` as the emulated Gradio version computes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._simulator import QueueSim, SimJob

__all__ = ["estimate"]


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
