"""Figures that agree by construction: every card, table total and quoted number (#27 item 2).

The sample's report is made once; each headline card, each table's total row and each
number of the life-circle conclusions is recomputed here from the result tables (not
from the report's code) and must match to the rounding shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zonekit as zk
from zonekit.api.report import outputs_of
from zonekit.maps import report_data as rd
from zonekit.maps.conclusions import conclusions
from zonekit.maps.report import headline


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, sample_dir_module: Path) -> rd.Outputs:
    folder = tmp_path_factory.mktemp("consistency") / "report"
    done = zk.report(data=sample_dir_module, out=folder)
    return outputs_of(done.results, folder)


@pytest.fixture(scope="module")
def sample_dir_module() -> Path:
    from conftest import SAMPLE

    if not (SAMPLE / "park.gpkg").exists():
        pytest.skip("data/sample/park.gpkg missing: run `make sample`")
    return SAMPLE


def numbers(text: str) -> list[float]:
    """The figures written in a text (thousands separators dropped)."""
    return [float(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)]


def close(shown: float, value: float, decimals: int) -> bool:
    """Whether ``shown`` is ``value`` rounded to ``decimals`` places."""
    return abs(shown - value) <= 0.5 * 10 ** -decimals + 1e-9


def test_cards_are_the_tables_figures(out: rd.Outputs) -> None:
    cards = {c["label"]: c for c in headline(out)}
    ind = out.indicators.set_index("indicator")
    for key in ("total_revenue_yi", "land_output_yi_per_km2", "output_per_employee_wan"):
        r = ind.loc[key]
        card = cards[f"{r['name_zh']}（{int(r['year'])} 年）"]
        assert close(float(card["value"]), float(r["value"]), 1)
        assert close(numbers(card["detail"])[1], float(r["target"]), 1)
    # low-efficiency land: counted from the parcels, share of the land-output land
    p = out.parcels
    low = p.loc[p["low_efficiency"].astype(bool)]
    card = cards["低效用地"]
    area, land, share = numbers(card["detail"])  # "3.85 km²，占…用地 18.11 km² 的 21.3%"
    assert int(card["value"]) == len(low)
    assert close(area, low["area_m2"].sum() / 1e6, 2)
    assert close(land, p.loc[p["in_denominator"].astype(bool), "area_m2"].sum() / 1e6, 2)
    assert close(share, 100 * low["area_m2"].sum() / (land * 1e6), 1)
    # the low-efficiency table says the same share, of the same land
    table = rd.low_efficiency_table(out)
    rows = table.loc[~table["le_class"].isin(["非低效用地", rd.OUTSIDE_LAND_ZH])]
    assert close(share, rows["share_pct"].sum(), 1)
    # circle cards: covered / total and the share, from the coverage tables
    from zonekit.maps.circle_maps import COMPOSITE, kind_of

    shown = 0
    for run in out.circles.values():
        cov = run["coverage"]
        for head in kind_of(run["summary"])["headlines"]:
            card = cards.get(head["label"])
            if card is None:
                continue
            cats = COMPOSITE if head["category"] == "complete" else (head["category"],)
            row = cov.loc[(cov["scenario"] == "current") & cov["category"].isin(cats)
                          & (cov["measure"] == head["measure"])].iloc[0]
            covered, total = numbers(re.search(r"[\d,.]+ / [\d,.]+", card["detail"]).group())
            places = 0 if row["unit"] in ("persons", "enterprises") else 1
            assert close(covered, row["covered"], places) and close(total, row["total"], places)
            assert close(float(card["value"]), 100 * row["covered"] / row["total"], 1)
            shown += 1
    assert shown >= 3


def _total_row(frame: pd.DataFrame, col: str, name: str) -> tuple[pd.Series, pd.DataFrame]:
    return frame.loc[frame[col] == name].iloc[0], frame.loc[frame[col] != name]


def test_table_totals_add_up(out: rd.Outputs) -> None:
    land = out.intensity["land_km2"]
    total, rows = _total_row(rd.industry_table(out), "industry", "park")
    # industries plus the land without firms make the park's land, and its land output
    assert rows["land_km2"].sum() == pytest.approx(land, rel=1e-6)
    assert total["land_km2"] == pytest.approx(land)
    assert rows["revenue_yi"].sum() == pytest.approx(total["revenue_yi"], rel=1e-6)
    assert rows["enterprises"].sum() == total["enterprises"] == len(out.enterprises)
    assert close(out.intensity["land_output_yi_per_km2"], total["revenue_yi"] / land, 1)
    assert total["land_output_yi_per_km2"] == out.intensity["land_output_yi_per_km2"]
    z_total, z_rows = _total_row(out.zones, "zone_id", "park")
    for col in ("parcels", "enterprises", "employees", "revenue_yi", "built_land_km2"):
        assert z_rows[col].sum() == pytest.approx(z_total[col], rel=1e-6), col
    m_total, m_rows = _total_row(out.intensity_zones, "zone_id", "park")
    assert close(land, m_rows["land_km2"].sum(), 4)  # summary.json: km² to 4 places
    assert close(land, m_total["land_km2"], 4)
    # grades: every firm and parcel counted once; graded includes the separate rankings
    ents = rd.enterprise_class_table(out)
    assert ents["enterprises"].sum() == len(out.enterprises)
    graded = ents.loc[~ents["class"].str.startswith("未参评"), "enterprises"].sum()
    e = out.enterprises
    assert graded == int((e["grade_status"] == "graded").sum()
                         + ((e["grade_status"] == "graded_separately")
                            & e["separate_class"].isin(list("ABCD"))).sum())
    assert rd.class_table(out)["parcels"].sum() == len(out.parcels)
    assert rd.class_table(out)["share_pct"].sum() == pytest.approx(100)


def test_life_circle_conclusions_are_the_tables_figures(out: rd.Outputs) -> None:
    from zonekit.maps import life_circle_text as lc
    from zonekit.maps.report_data import circle_runs

    found = [f.text for f in conclusions(out) if f.topic == "生活圈"]
    assert found
    for run in circle_runs(out, "categories_from_data"):
        area = run["summary"]["study_area"]
        cov = run["coverage"]
        people = cov.loc[(cov["scenario"] == "current") & (cov["measure"] == "population")]
        assert people["total"].nunique() == 1
        assert close(numbers(lc.scope_zh(run))[-2], people["total"].iloc[0], 0)
        assert close(numbers(lc.scope_zh(run))[-1], area["outside_weight"], 0)
        rows = lc.uncovered(run).set_index("name_zh")
        areas = run["gap_areas"]
        for text in found:
            m = re.match(r"(.+?)（(\d+) 分钟）的缺口共 ([\d,]+) 人，按分区与最近道路归并为 "
                         r"(\d+) 个", text)
            if not m or m.group(1) not in rows.index:
                continue
            r = rows.loc[m.group(1)]
            part = areas.loc[areas["category"] == r["category"]]
            assert float(m.group(2)) == r["limit"]
            assert close(float(m.group(3).replace(",", "")), r["uncovered"], 0)
            assert close(float(m.group(3).replace(",", "")), part["weight"].sum(), 0)
            assert int(m.group(4)) == len(part)
            segment = text.split("最大的是")[1].split("；")[0]
            biggest = re.findall(r"(?:^|、)(.+?一带)（([\d,]+) 人）", segment)
            assert biggest
            assert [b[0] for b in biggest] == part["place_zh"].head(len(biggest)).tolist()
            assert np.allclose([float(b[1].replace(",", "")) for b in biggest],
                               part["weight"].head(len(biggest)), atol=0.5)
        worst = next(t for t in found if t.startswith("覆盖缺口最大的业态"))
        quoted = re.findall(r"([^、为（]+)（(\d+) 分钟内未覆盖 ([\d,]+) 人，覆盖率 ([\d.]+)%）",
                            worst)
        assert len(quoted) == min(3, len(rows))
        for name, limit, unc, share in quoted:
            r = rows.loc[name]
            assert float(limit) == r["limit"]
            assert close(float(unc.replace(",", "")), r["uncovered"], 0)
            assert close(float(share), 100 * r["share"], 1)


def test_indicator_conclusions_are_the_tables_figures(out: rd.Outputs) -> None:
    ind = out.indicators.set_index("name_zh")
    found = [f.text for f in conclusions(out) if f.topic == "规划指标"]
    behind = out.indicators["on_track"].astype(str).str.lower().eq("false")
    assert f"中有 {int(behind.sum())} 项落后" in found[0] or not behind.any()
    for text in found[1:]:
        name = text.split("：")[0]
        r = ind.loc[name]
        value, year, target_year, target, gap, need, trend = numbers(text.split("：", 1)[1])[:7]
        assert close(value, r["value"], 1) and int(year) == int(r["year"])
        assert int(target_year) == int(r["target_year"]) and close(target, r["target"], 1)
        assert close(gap, r["gap"], 1) and close(need, r["required_annual_growth_pct"], 1)
        assert close(trend, r["trend_growth_pct"], 1)
