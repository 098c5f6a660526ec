"""2SFCA capacity per 1,000 persons (issue #30) against PySAL ``access`` on networkx times.

The reference times come from a networkx graph of the real Aguascalientes OSM network in
which every snapped point is a node of its own, spliced into its edge (the edge cut at the
points' fractions, in its allowed directions), with the access legs as arcs: Dijkstra there
is independent of zonekit's super-source and batched bounded searches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from capacity_fixtures import LIMITS, build_case, reference_times, sample_charging

from zonekit.analysis.circles.capacity import Setup, circle_capacity


@pytest.fixture(scope="module")
def case():
    return build_case()


def test_2sfca_equals_pysal_access_on_networkx_times(case):
    access = pytest.importorskip("access", reason="pip install access (the test extra)")
    network, res, summary, _ = case
    times = reference_times(network, res)
    fac, org = res.facilities.reset_index(drop=True), res.origins.reset_index(drop=True)
    demand = pd.DataFrame({"demand": org["weight"].to_numpy()}, index=org.index)
    for cat, limit in LIMITS.items():
        # the circle's minutes are the nearest of these times
        near = times[times["dest"].isin(np.flatnonzero(fac["category"] == cat))]
        best = near.groupby("origin")["cost"].min().reindex(org.index)
        mine = org[f"minutes_{cat}"]
        np.testing.assert_array_equal(mine.isna(), best.isna())
        np.testing.assert_allclose(mine.dropna(), best.dropna(), rtol=1e-9, atol=1e-9)
        sel = fac["category"] == cat
        catch = near[near["cost"] <= limit].merge(demand, left_on="origin", right_index=True)
        catch = catch.groupby("dest")["demand"].sum().reindex(fac.index[sel]).fillna(0.0)
        # access divides by a zero catchment (inf); the R_j is blank there and adds
        # nothing: such facilities are given no supply
        keep = sel & fac.index.isin(catch.index[catch > 0])
        supply = pd.DataFrame({"supply": fac["capacity"].where(keep, 0.0)}, index=fac.index)
        ref = access.fca.two_stage_fca(demand, supply, near, max_cost=limit,
                                       demand_index=True, demand_name="demand",
                                       supply_name="supply", cost_origin="origin",
                                       cost_dest="dest", cost_name="cost")
        ref = ref.reindex(org.index).fillna(0.0)
        np.testing.assert_allclose(org[f"per1000_{cat}"], 1000 * ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fac.loc[sel, "catchment_persons"], catch, rtol=1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(catch > 0, fac.loc[sel, "capacity"] / catch, np.nan)
        np.testing.assert_allclose(fac.loc[sel, "per1000"], 1000 * ratio, rtol=1e-9)
        assert (org[f"per1000_{cat}"] > 0).sum() > 20
    # the cases the issue names are all present
    assert (fac["capacity"] == 0).sum() == 2 and (org["weight"] == 0).sum() == 40
    assert (fac["catchment_persons"] == 0).sum() >= 2
    assert fac["per1000"].isna().sum() >= 2
    assert summary["categories"]["school"]["facilities"] == 15


def test_capacity_per_1000_sums_to_the_capacity_reached(case):
    """Σ P_i·A_i = Σ S_j over the facilities someone reaches (2SFCA preserves supply)."""
    _, res, _, _ = case
    fac, org = res.facilities, res.origins
    for cat in LIMITS:
        reached = (fac["category"] == cat) & (fac["catchment_persons"] > 0)
        total = float((org["weight"] * org[f"per1000_{cat}"]).sum()) / 1000
        assert total == pytest.approx(float(fac.loc[reached, "capacity"].sum()), rel=1e-9)


@pytest.fixture(scope="module")
def charging(tmp_path_factory):
    return sample_charging(tmp_path_factory.mktemp("county"))


def test_sample_charging_capacity_with_a_county_norm(charging):
    """Chargers per 1,000 persons on the sample park; a county's norm flags origins below it."""
    r = charging
    cap = r.summary["capacity"]["categories"]["charging_station"]
    org = r.origins
    below = org["per1000_charging_station"] < 3
    assert org["below_norm_charging_station"].tolist() == below.tolist()
    assert cap["below_norm_weight"] == pytest.approx(float(org.loc[below, "weight"].sum()))
    assert cap["norm"]["clause"] == "示例县规划" and 0 < below.mean() < 1
    row = r.coverage[r.coverage["measure"] == "below_norm"].iloc[0]
    assert row["covered"] == pytest.approx(cap["below_norm_weight"])
    fac = r.facilities
    assert fac["capacity"].sum() == cap["capacity_total"] > 0
    crowded = pd.DataFrame(cap["most_crowded"]).set_index("facility_id")
    mine = fac.set_index("facility_id").loc[crowded.index]
    np.testing.assert_allclose(crowded["per1000"], mine["per1000"])
    assert crowded["per1000"].is_monotonic_increasing  # fewest per 1,000 persons first


def test_capacity_column_checked_before_the_search(tmp_path):
    from zonekit.analysis.circles.capacity import capacities, load_norms
    from zonekit.errors import ProfileError, SchemaError

    fac = pd.DataFrame({"seats": [3, None, -1, "x"]})
    with pytest.raises(SchemaError, match=r"'seats'.*rows 1, 2, 3"):
        capacities(fac, "seats")
    with pytest.raises(SchemaError, match="column not found"):
        capacities(fac, "beds")
    assert load_norms() == {}  # the shipped norms quote no value (see the file)
    bad = tmp_path / "bad.yaml"
    bad.write_text("capacity_norms:\n  kindergarten: {per1000: -2}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="per1000"):
        load_norms(bad)


def test_capacity_in_worker_processes_is_the_same(case):
    import copy

    network, res, summary, _ = case
    again = copy.copy(res)
    again.origins, again.facilities = res.origins.copy(), res.facilities.copy()
    cap = res.facilities["capacity"].to_numpy()
    assert circle_capacity(network, again, cap, Setup(LIMITS), "seats", n_jobs=2) == summary
    pd.testing.assert_frame_equal(again.origins, res.origins)
    pd.testing.assert_frame_equal(again.facilities, res.facilities)


def test_report_capacity_section_reads_the_run(charging):
    from types import SimpleNamespace

    from zonekit.maps.report_capacity import capacity_tables

    tables = capacity_tables(SimpleNamespace(circles={"charging": charging.as_run()}))
    per_cat, crowded, _ = tables.values()  # the third: where added capacity serves most
    cap = charging.summary["capacity"]["categories"]["charging_station"]
    row = per_cat.iloc[0]
    assert row["类别"] == "充电站" and row["千人指标"] == "3.00 充电桩"
    assert row["低于指标的人口"] == f"{cap['below_norm_weight']:,.0f}"
    assert row["平均千人容量"] == f"{cap['per1000_mean']:,.2f}"
    assert crowded["设施"].tolist() == [r["facility_id"] for r in cap["most_crowded"]]
    assert capacity_tables(SimpleNamespace(circles={})) == {}
