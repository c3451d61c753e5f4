"""The OpenAPI document matches what the service does: schemathesis over every operation, every check.

Positive data (what the schema admits) must be accepted, negative data (what it forbids) rejected with a
documented 4xx, responses must match their documented status, content type, headers and body schema, and no
request may cause a 5xx (schemathesis's default checks are all of them). The app is the real one over the
two-report seed index (in-process ASGI); uploads and deletes are disabled (no admin token), so the fuzzer
cannot change the index. Each operation gets its own Hypothesis run; failures of every operation are
collected, so one run shows them all.
"""
from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

pytestmark = pytest.mark.slow  # several hundred generated requests

MAX_EXAMPLES = 25  # per operation and generation mode: the whole run stays well under 3 minutes
BUDGET_S = 170


@pytest.fixture(scope="module")
def api_schema(served_qa, api_index_dir):
    from api.app import create_app
    from api.settings import Settings

    app = create_app(qa=served_qa, settings=Settings(index_dir=api_index_dir, admin_token=None))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _run(operation, mode: GenerationMode) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate()

    try:
        check()
    except Unsatisfiable:
        return None  # no negative data exists for an operation without parameters
    except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - collect every operation's failure
        return f"{operation.label} [{mode.value}]: {str(e)[:1500]}"
    return None


def test_openapi_contract(api_schema):
    t0 = time.monotonic()
    failures, ran = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _run(operation, mode)
            ran += 1
            if failure:
                failures.append(failure)
    assert ran >= 20, ran  # every operation, both modes
    assert not failures, "\n\n".join(failures)
    assert time.monotonic() - t0 < BUDGET_S
