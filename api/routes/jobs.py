"""Background ingest jobs: ``GET /jobs/{job_id}``."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import StateDep
from api.schemas import JobOut, error_responses

router = APIRouter(tags=["documents"])


@router.get("/jobs/{job_id}", name="get_job", responses=error_responses(404))
def get_job(job_id: str, state: StateDep) -> JobOut:
    job = state.job(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory until the server restarts)")
    return JobOut.model_validate(job, from_attributes=True)
