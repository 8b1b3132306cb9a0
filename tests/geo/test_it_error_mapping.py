"""One mapping from domain errors to the API's codes and statuses, for every JSON door.

An infeasible pairing was 422 from /api/v1/pairing and /reports/api/pairing but 400 from
/reports/api/pairing/save (issue 17); the report endpoints are now /api/v1/pairing and
/api/v1/pairing/save, and every door answers through geo.services.errors.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from geo.analysis.grid_edit import GridEditError
from geo.analysis.network import NetworkError
from geo.analysis.pairing import PairingInfeasible
from geo.models.scope import ScopeError
from geo.services.errors import DOMAIN, NoData, classify, describe


@pytest.mark.parametrize(("exc", "expected"), [
    (PermissionDenied("no"), ("forbidden", 403)),
    (PairingInfeasible(["demand 312 exceeds total capacity 300"]), ("infeasible", 422)),
    (NetworkError("no roads"), ("no_network", 409)),
    (ScopeError("bad scope"), ("invalid_parameter", 400)),
    (NoData("no units"), ("no_data", 422)),
    (GridEditError("line_misses_grid", "the line misses"), ("line_misses_grid", 400)),
    (ValueError("bad metric"), ("invalid_parameter", 400)),
])
def test_it_answers_each_domain_error_one_way(exc: Exception, expected: tuple[str, int]) -> None:
    assert classify(exc) == expected
    assert describe(exc)


def test_it_lists_the_reasons_of_an_infeasible_pairing() -> None:
    exc = PairingInfeasible(["demand 312 exceeds total capacity 300", "community A has no unit"])
    assert describe(exc) == "demand 312 exceeds total capacity 300; community A has no unit"
    with pytest.raises(TypeError):
        classify(KeyError("x"))


def test_it_leaves_an_unnamed_value_error_to_page_views_only() -> None:
    # The API handler answers DOMAIN errors; a bare ValueError there is a bug (a 500).
    assert not isinstance(ValueError("bug"), DOMAIN)
    assert isinstance(NoData("x"), DOMAIN) and isinstance(ScopeError("x"), DOMAIN)
