"""Every operation of the OpenAPI document, FUZZ_EXAMPLES examples each: no 5xx, as documented."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import DataGenerationMethod

from fuzz.calls import MODES, send
from fuzz.mapping import install
from fuzz.run import DEEP, EXAMPLES, MAPPER, Run

# Valid requests (positive) and requests breaking the document's rules (negative): both
# must be answered, never with a 5xx, and as documented.
schema = schemathesis.from_pytest_fixture(
    "fuzz_schema", data_generation_methods=DataGenerationMethod.all()
)
install(schema, MAPPER, MODES)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_answers_every_generated_request_as_its_document_says(
    case: schemathesis.Case, fuzz_run: Run
) -> None:
    send(fuzz_run.world, DEEP, case)
