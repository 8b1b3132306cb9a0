"""One mapping from domain errors to the API's codes and statuses, for every JSON door.

An infeasible pairing was 422 from /api/v1/pairing and /reports/api/pairing but 400 from
/reports/api/pairing/save (issue 17); the report endpoints are now /api/v1/pairing and
/api/v1/pairing/save, and every door answers through geo.services.errors.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from geo.analysis.grid_edit import GridEditError
from geo.analysis.network import NetworkError
from geo.analysis.pairing import PairingInfeasible
from geo.analysis.text import Text
from geo.models.scope import ScopeError
from geo.services.errors import DOMAIN, NoData, classify, describe


@pytest.mark.parametrize(("exc", "expected"), [
    (PermissionDenied("no"), ("forbidden", 403)),
    (PairingInfeasible([Text("需求 %(n)s 超过容量", n=312)]), ("infeasible", 422)),
    (NetworkError("no roads"), ("no_network", 409)),
    (ScopeError("bad scope"), ("invalid_parameter", 400)),
    (NoData("no units"), ("no_data", 422)),
    (GridEditError("line_misses_grid", "the line misses"), ("line_misses_grid", 400)),
    (ValueError("bad metric"), ("invalid_parameter", 400)),
])
def test_it_answers_each_domain_error_one_way(exc: Exception, expected: tuple[str, int]) -> None:
    assert classify(exc) == expected
    assert describe(exc)


def test_it_lists_the_reasons_of_an_infeasible_pairing_in_the_readers_language() -> None:
    exc = PairingInfeasible([
        Text("各社区的最低结对数还需 %(need)s 对，但各单位只能再提供 %(have)s 对", need=312,
             have=300),
        Text("%(community)s 还需 %(need)s 个单位，但只有 %(have)s 个可用", community="海棠社区",
             need=1, have=0)])
    with translation.override("zh-hans"):
        assert describe(exc) == ("各社区的最低结对数还需 312 对，但各单位只能再提供 300 对；"
                                 "海棠社区 还需 1 个单位，但只有 0 个可用")
    with translation.override("en"):
        assert describe(exc) == ("the communities' minimums need 312 more pairings but the "
                                 "units can give only 300; 海棠社区 needs 1 more units but only "
                                 "0 are available")
    with pytest.raises(TypeError):
        classify(KeyError("x"))


def test_it_leaves_an_unnamed_value_error_to_page_views_only() -> None:
    # The API handler answers DOMAIN errors; a bare ValueError there is a bug (a 500).
    assert not isinstance(ValueError("bug"), DOMAIN)
    assert isinstance(NoData("x"), DOMAIN) and isinstance(ScopeError("x"), DOMAIN)
