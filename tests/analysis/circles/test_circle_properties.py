"""Property tests (hypothesis): more facilities or a longer limit never lower coverage."""

from __future__ import annotations

import functools

import numpy as np
from circles_fixtures import planner_grid, points_near
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonekit.analysis.circles.kinds import charging_circle, circle_network, service_circle
from zonekit.analysis.circles.origins import layer_origins
from zonekit.analysis.circles.profile import load_circles_profile

PROFILE = load_circles_profile()
FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def town(mode: str):
    """A 7 × 7 street grid with one-way streets, origins, 30 candidate facility points."""
    _, plain = planner_grid(7, seed=21, island=True)
    net = circle_network(plain, mode)
    origins = layer_origins(points_near(plain, 60, seed=22, far=2), "pid")
    pool = points_near(plain, 30, seed=23, prefix="F")
    pool["category"] = "charging_station"
    return net, origins, pool


def coverage(mode: str, chosen: list[int], limit: float) -> np.ndarray:
    net, origins, pool = town(mode)
    res = service_circle(net, origins, pool.iloc[sorted(set(chosen))], PROFILE.circle("service"),
                         {"charging_station": limit}, PROFILE.names_zh, id_col="pid")
    return res.origins["covered"].to_numpy()


facility_sets = st.lists(st.integers(0, 29), min_size=1, max_size=8)


@FAST
@given(mode=st.sampled_from(["walk", "drive"]), chosen=facility_sets,
       extra=st.integers(0, 29), limit=st.floats(0.5, 6.0))
def test_adding_a_facility_never_lowers_coverage(mode, chosen, extra, limit):
    before = coverage(mode, chosen, limit)
    after = coverage(mode, [*chosen, extra], limit)
    assert (after | ~before).all()  # every origin covered before is still covered


@FAST
@given(mode=st.sampled_from(["walk", "drive"]), chosen=facility_sets,
       limit=st.floats(0.5, 6.0), more=st.floats(0.0, 5.0))
def test_raising_the_limit_never_lowers_coverage(mode, chosen, limit, more):
    assert (coverage(mode, chosen, limit + more) | ~coverage(mode, chosen, limit)).all()


@settings(max_examples=10, deadline=None)
@given(chosen=facility_sets, extra=st.integers(0, 29), limit=st.floats(0.5, 4.0))
def test_road_length_coverage_grows_with_facilities_and_limit(chosen, extra, limit):
    net, origins, pool = town("drive")
    spec = PROFILE.circle("charging")

    def road_km(ids, lim):
        res = charging_circle(net, origins, pool.iloc[sorted(set(ids))], spec, lim,
                              PROFILE.names_zh, id_col="pid")
        return res.coverage.set_index("measure").loc["road_length_km", "covered"]

    base = road_km(chosen, limit)
    assert road_km([*chosen, extra], limit) >= base - 1e-9
    assert road_km(chosen, limit + 1.0) >= base - 1e-9
