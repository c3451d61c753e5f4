"""Background ingest jobs: ``GET /jobs/{job_id}``, read from the job journal on disk (any worker answers)."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import StateDep
from api.errors import hide_paths
from api.schemas import JobIdPath, JobOut, error_responses

router = APIRouter(tags=["documents"])


@router.get("/jobs/{job_id}", name="get_job", responses=error_responses(404, 422))
def get_job(job_id: JobIdPath, state: StateDep) -> JobOut:
    """A job's status (``pending`` → ``done`` | ``failed`` with the reason), its stage, passages embedded so
    far and, while it waits, how many jobs are ahead of it. Jobs are kept on disk across restarts."""
    view = state.job(job_id)
    if view is None:
        raise HTTPException(404, f"no job {job_id!r}: this server never accepted a job with that id")
    rec = view.record
    return JobOut.model_validate({**{k: getattr(rec, k) for k in JobOut.model_fields if hasattr(rec, k)},
                                  "error": hide_paths(rec.error) if rec.error else None,
                                  "queue_position": view.queue_position})
