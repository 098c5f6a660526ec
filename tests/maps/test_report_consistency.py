"""Figures that agree by construction: every card, table total and quoted number (#27 item 2).

The sample's report is made once; each headline card, each table's total row and each
number of the conclusions (indicators, life circles, charging, renewal) and of the renewal
and charging tables is recomputed here from the result tables (not from the report's
code) and must match to the rounding shown.
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


# --- renewal: every figure the report quotes, from the plan and trajectory tables -----------

def _acted_on(out: rd.Outputs) -> str:
    """The scenario that decides: the one furthest below the target without renewal."""
    traj = out.trajectory
    last = traj.loc[traj["year"] == traj["year"].max()].set_index("scenario")
    return str(last["land_output_without_plan_yi_per_km2"].idxmin())


def _scenario(out: rd.Outputs, name: str) -> tuple[pd.DataFrame, pd.Series]:
    """The parcels a scenario's plan takes (in its order of work) and its target-year row."""
    plan = out.renewal_plan
    taken = plan.loc[plan[f"in_plan_{name}"].astype(bool)].sort_values(f"priority_{name}")
    traj = out.trajectory.loc[out.trajectory["scenario"] == name]
    return taken, traj.loc[traj["year"].idxmax()]


def test_renewal_conclusions_are_the_tables_figures(out: rd.Outputs) -> None:
    from zonekit.analysis.mujun import SCENARIO_ZH

    found = [f.text for f in conclusions(out) if f.topic == "腾笼换鸟"]
    target = float(out.trajectory["target_yi_per_km2"].iloc[-1])
    year = int(out.trajectory["year"].max())
    deciding = _acted_on(out)
    taken, last = _scenario(out, deciding)
    # the first sentence: which plan to act on, its figures
    act = found[0]
    assert act.startswith(f"按{SCENARIO_ZH[deciding]}的方案行动")
    m = re.search(r"（年均 ([\d.]+)%），(\d+) 年不腾退地均产出 ([\d.]+) 亿元/km²，低于目标 "
                  r"([\d.]+)，需腾笼换鸟 (\d+) 宗地块、([\d.]+) km²", act)
    assert m, act
    growth = out.intensity["scenarios"][deciding]["assumptions"]["growth_pct"]
    assert close(float(m[1]), growth, 2) and int(m[2]) == year
    assert close(float(m[3]), last["land_output_without_plan_yi_per_km2"], 1)
    assert last["land_output_without_plan_yi_per_km2"] < target and close(float(m[4]), target, 1)
    assert int(m[5]) == len(taken) and close(float(m[6]), taken["area_km2"].sum(), 2)
    for name, zh in SCENARIO_ZH.items():
        plan, row = _scenario(out, name)
        text = next(t for t in found if t.startswith(f"{zh}：若不腾退"))
        m = re.match(rf"{zh}：若不腾退，(\d+) 年地均产出为 ([\d.]+) 亿元/km²", text)
        assert int(m[1]) == year
        assert close(float(m[2]), row["land_output_without_plan_yi_per_km2"], 1)
        if plan.empty:
            assert row["land_output_without_plan_yi_per_km2"] >= target
            assert "无需腾笼换鸟" in text
            continue
        m = re.search(r"腾退 (\d+) 宗低效用地（([\d.]+) km²）后为 ([\d.]+) 亿元/km²，"
                      r"(达到|仍低于)目标 ([\d.]+)", text)
        assert int(m[1]) == len(plan) and close(float(m[2]), plan["area_km2"].sum(), 2)
        assert close(float(m[3]), row["land_output_with_plan_yi_per_km2"], 1)
        assert (m[4] == "达到") == (row["land_output_with_plan_yi_per_km2"] >= target - 1e-6)
        assert close(float(m[5]), target, 1)


PARCEL_ITEM = re.compile(
    r"(\d+)\. ([\w-]+)（([^，]+)(?:，距(\S+) ([\d,]+) m)?，东经 ([\d.]+)°、北纬 ([\d.]+)°，"
    r"(?:现有企业 ([^，；]+)|无在册企业)(?:，出让年限至 (\d+) 年)?；增收 ([\d.]+) 亿元）")


def test_renewal_parcels_quoted_are_the_plans_rows(out: rd.Outputs) -> None:
    deciding = _acted_on(out)
    taken, _ = _scenario(out, deciding)
    text = next(f.text for f in conclusions(out) if f.source == "更新方案")
    items = PARCEL_ITEM.findall(text)
    assert items and len(items) == min(5, len(taken)), text
    names = out.zone_geo.set_index("zone_id")["name_zh"]
    for item, r in zip(items, taken.itertuples(index=False), strict=False):
        order, pid, zone, road, dist, lon, lat, firms, lease, gain = item
        assert int(order) == getattr(r, f"priority_{deciding}") and pid == r.parcel_id
        assert zone == names[r.zone_id]
        assert road == r.road_name and close(float(dist), r.road_distance_m, 0)
        assert close(float(lon), r.lon, 5) and close(float(lat), r.lat, 5)
        assert firms == r.firms
        assert (int(lease) if lease else None) == (None if pd.isna(r.lease_end_year)
                                                   else int(r.lease_end_year))
        assert close(float(gain), r.gain_yi, 2)
    m = re.search(r"方案共 (\d+) 宗、([\d,]+) 亩，合计增收 ([\d.]+) 亿元", text)
    assert int(m[1]) == len(taken)
    assert close(float(m[2].replace(",", "")), taken["area_mu"].sum(), 0)
    assert close(float(m[3]), taken["gain_yi"].sum(), 2)


def test_renewal_table_and_sentences_are_the_tables_figures(out: rd.Outputs) -> None:
    from zonekit.analysis.mujun import SCENARIO_ZH
    from zonekit.maps.report import renewal_sentences

    deciding = _acted_on(out)
    taken, last = _scenario(out, deciding)
    table = rd.report_tables(out)["更新方案"]
    order = f"推进顺序（{SCENARIO_ZH[deciding]}）"
    # the table's first column numbers the plan 1..n, without gaps, in its order of work
    assert table.columns[0] == order
    assert table[order].tolist() == [str(i) for i in range(1, len(taken) + 1)]
    assert table["地块编号"].tolist() == taken["parcel_id"].tolist()
    assert "候选排名（按增收，全部候选）" not in table and "排名" not in table
    for name, zh in SCENARIO_ZH.items():  # a plan without parcels has no column
        assert (f"推进顺序（{zh}）" in table) == bool(_scenario(out, name)[0].size)
    assert table["最近道路"].tolist() == taken["road_name"].map(
        lambda v: "无名道路" if v == "(unnamed)" else v).tolist()
    for col, src, places in (("更新后地均产出（亿元/km²）", "post_land_output_yi_per_km2", 1),
                             ("更新后增收（亿元）", "gain_yi", 2), ("面积（亩）", "area_mu", 1),
                             ("距最近道路（m）", "road_distance_m", 0)):
        shown = pd.to_numeric(table[col].str.replace(",", ""), errors="coerce").to_numpy()
        assert all(close(s, v, places) for s, v in zip(shown, taken[src], strict=True)
                   if v == v), col
    # the post-renewal output is the stated percentile of the zone's producing peers
    p = out.parcels
    producing = p.loc[p["status"].eq("in_use") & (p["enterprises"] > 0) & (p["revenue_wan"] > 0)]
    for r in taken.itertuples(index=False):
        m = re.match(r"P(\d+) of (\d+) (\w+) parcels in (\w+)$", r.basis)
        if not m:
            continue
        peers = producing.loc[(producing["zone_id"] == m[4]) & (producing["land_class"] == m[3])]
        assert len(peers) == int(m[2]) and m[4] == r.zone_id
        value = peers["land_output_yi_per_km2"].quantile(int(m[1]) / 100)
        assert value == pytest.approx(r.post_land_output_yi_per_km2)
    # the section's sentence of the deciding scenario
    line = next(t for t in renewal_sentences(out) if t.startswith(SCENARIO_ZH[deciding]))
    m = re.search(r"不更新时 (\d+) 年地均产出 ([\d.]+) 亿元/km²；更新 (\d+) 块低效用地（([\d.]+) "
                  r"km²，[^）]+）后达到 ([\d.]+)", line)
    assert close(float(m[2]), last["land_output_without_plan_yi_per_km2"], 1)
    assert int(m[3]) == len(taken) and close(float(m[4]), taken["area_km2"].sum(), 2)
    assert close(float(m[5]), last["land_output_with_plan_yi_per_km2"], 1)
    # the land-output card judges by the deciding scenario
    card = next(c for c in headline(out) if c["label"].startswith("地均产出"))
    if last["land_output_without_plan_yi_per_km2"] < last["target_yi_per_km2"]:
        m = re.search(rf"按{SCENARIO_ZH[deciding]}不腾退 (\d+) 年仅 ([\d.]+)", card["detail"])
        assert m and close(float(m[2]), last["land_output_without_plan_yi_per_km2"], 1)


# --- charging: the target, the fewest sites reaching it, what each site adds ------------------

def _charging(out: rd.Outputs) -> dict:
    runs = rd.circle_runs(out, "proposes_sites")
    assert runs
    return runs[0]


def test_charging_conclusion_is_the_tables_figures(out: rd.Outputs) -> None:
    from zonekit.analysis.circles.profile import load_circles_profile

    run = _charging(out)
    sites, cov = run["sites"], run["coverage"]
    stated_target = load_circles_profile().circle(run["summary"]["kind"]).target_share
    text = next(f.text for f in conclusions(out) if f.topic == "充电设施")
    demand = cov.loc[cov["measure"] == "built_land_km2"]
    now = demand.loc[demand["scenario"] == "current"].iloc[0]
    m = re.match(r"目标为(\d+) 分钟充电圈覆盖 (\d+)% 的建设用地（含在建）（现状 ([\d.]+)%）", text)
    assert m, text
    assert float(m[1]) == now["limit"] and close(float(m[2]), 100 * stated_target, 0)
    assert close(float(m[3]), 100 * now["covered"] / now["total"], 1)
    # the fewest sites reaching the target: their count, and the share they reach
    fewest = sites.loc[sites["solution"] == "set_cover"].sort_values("rank")
    reach = demand.loc[demand["scenario"] == "set_cover"].iloc[0]
    m = re.search(r"达到目标最少需新建 (\d+) 座，.*?覆盖率升至 ([\d.]+)%", text)
    assert int(m[1]) == len(fewest) >= 1
    assert close(float(m[2]), 100 * reach["covered"] / reach["total"], 1)
    assert reach["covered"] / reach["total"] >= stated_target > now["covered"] / now["total"]
    assert fewest["added_weight"].sum() == pytest.approx(reach["covered"] - now["covered"])
    # the maximal-covering alternative: each site's addition adds up to the table's share
    most = sites.loc[sites["solution"] == "mclp"].sort_values("rank")
    full = demand.loc[demand["scenario"] == "mclp"].iloc[0]
    m = re.search(r"若建 (\d+) 座", text)
    assert int(m[1]) == len(most)
    steps = re.findall(r"备选站点(\d+)（[^）]+）增加 ([\d.]+) 个百分点至 ([\d.]+)%", text)
    assert [int(s[0]) for s in steps] == list(range(1, len(most) + 1))
    share = 100 * now["covered"] / now["total"]
    for (_, added, after), r in zip(steps, most.itertuples(index=False), strict=True):
        step = 100 * r.added_weight / now["total"]
        share += step
        assert close(float(added), step, 1) and close(float(after), share, 1)
    assert close(share, 100 * full["covered"] / full["total"], 1)
    # no two different points share a label
    labels = rd.report_tables(out)["充电站选址"]
    pairs = set(zip(labels["站点编号"], labels["候选点编号"], strict=True))
    assert len({p[0] for p in pairs}) == len(pairs)


def test_charging_table_is_the_sites(out: rd.Outputs) -> None:
    run = _charging(out)
    sites = run["sites"].sort_values(["solution", "rank"])
    table = rd.report_tables(out)["充电站选址"]
    total = run["summary"]["siting"]["demand_total"]
    assert len(table) == len(sites)
    for (_, t), r in zip(table.iterrows(), run["sites"].itertuples(index=False), strict=True):
        assert t["候选点编号"] == r.candidate_id
        assert close(float(t["新增覆盖建设用地（含在建）（km²）"]), r.added_weight, 2)
        assert close(float(t["选址后覆盖比例（%）"]), 100 * r.share_after, 1)
        assert close(100 * r.added_weight / total, r.added_share_pct, 6)
    assert set(sites["solution"]) <= {"mclp", "set_cover"}
