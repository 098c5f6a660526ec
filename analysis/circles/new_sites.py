"""New charging sites for a circle run: candidates, maximal and set covering.

:func:`add_sites` (called by :func:`zonekit.analysis.circles.pipeline.run` with
``new_sites``) also gives the coverage the engine finds after each solution.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.circles import kinds as cc
from zonekit.analysis.circles.origins import Origins
from zonekit.errors import DataFileError

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.analysis.circles.pipeline import CircleInputs, Job


def _measure_name(demand: str, origins: Origins) -> str:
    return origins.weight_name if demand == "origins" else demand


def _say_not_optimal(answer: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """Add to each answer sentence whose solution is not proven optimal what was proved.

    The sentences are what the console prints for the siting (``zonekit circles``); the
    same words are in ``summary["siting"]["warnings"]``.
    """
    for name in ("mclp", "set_cover"):
        rep = (summary.get(name) or {}).get("solver")
        if not isinstance(answer.get(name), dict) or not rep or rep["optimal"]:
            continue
        why = "达到求解时限" if rep["status"] in ("time_limit", "no_solution") else "提前停止"
        if rep["bound"] is None:
            proof, proof_zh = "no bound reported", "求解器未给出界"
        elif name == "mclp":
            share = 100 * rep.get("share_bound", 0.0)
            proof, proof_zh = (f"no choice of as many sites covers more than {share:.2f} %",
                               f"同样数量的站点覆盖率不超过 {share:.2f}%")
        else:
            proof, proof_zh = (f"at least {rep['bound']:g} sites are needed",
                               f"至少需要 {rep['bound']:g} 处站点")
        answer[name] = {**answer[name],
                        "sentence": f"{answer[name]['sentence']} (solver {rep['status']}: "
                                    f"not proven optimal; {proof})",
                        "sentence_zh": f"{answer[name]['sentence_zh']}（求解{why}，未证明最优；"
                                       f"{proof_zh}）"}
    return answer


# Long on purpose: both solutions (MCLP, set covering) are checked by re-running the
# engine with the new sites, in one loop that shares the snapped demand and candidates.
def add_sites(job: Job, res: cc.CircleResult, origins: Origins, network: Any,
              stations: gpd.GeoDataFrame, inputs: CircleInputs,
              tables: dict[str, Any]) -> dict[str, Any]:
    """Charging siting: candidates, MCLP and set covering, coverage after each solution.

    New sites are given ``power_kw`` = the fast threshold (they count with fast_only).
    Coverage after is recomputed by the engine with the new sites added, and appended to
    ``res.coverage`` as scenarios ``mclp`` and ``set_cover``.
    """
    import geopandas as gpd

    from zonekit.analysis.circles.site_descriptions import siting_answer
    from zonekit.analysis.circles.siting import (
        candidate_grid,
        coverage_pairs,
        site_facilities,
        site_table,
    )
    from zonekit.analysis.network.snapping import snap_points

    site = job.spec.siting
    category = list(job.limits)[0]
    cand = inputs.candidates
    if cand is None:
        cand = candidate_grid(inputs.parcels, network, site.spacing_m, site.road_max_m,
                              site.land_classes, site.max_candidates)
    sc = snap_points(network, cand, job.max_snap_m, layer="candidates")
    if job.demand not in res.extra["demand"]:
        layer = "parcels" if job.demand in ("parcels", "built_land_km2") else "enterprises"
        raise DataFileError(f"demand='{job.demand}' needs the {layer} layer; available: "
                            f"{', '.join(res.extra['demand'])}")
    snapped, weight, covered = res.extra["demand"][job.demand]
    pairs = coverage_pairs(network, snapped, sc, cc.engine_limit(job.limits[category],
                                                                 job.measure))
    measure = _measure_name(job.demand, origins)
    unit = str(res.coverage.loc[res.coverage["measure"] == measure, "unit"].iloc[0])
    sres = site_facilities(pairs, weight, covered, len(cand), job.new_sites or 0,
                           job.target_share, solver=site.solver, time_limit_s=site.time_limit_s,
                           unit=unit)
    for note in sres.summary.get("warnings", []):
        logger.warning(note)
    cat_col, fid = inputs.category_col, inputs.facility_id
    rows = [res.coverage]
    stations = stations.copy()
    stations.attrs = {}  # layer-validation attrs would break concatenation
    for name, pos in sres.chosen.items():
        # geometry first: without a facility id column every other value is a scalar
        new = gpd.GeoDataFrame(geometry=cand.geometry.to_numpy()[pos], crs=cand.crs).assign(
            **{cat_col: category, "power_kw": job.spec.fast_power_kw,
               **({fid: cand["candidate_id"].to_numpy()[pos]} if fid else {})})
        after = cc.charging_circle(
            network, origins, pd.concat([stations, new], ignore_index=True), job.spec,
            job.limits[category], job.profile.names_zh, parcels=inputs.parcels,
            enterprises=inputs.enterprises, category=category, category_col=cat_col,
            id_col=fid, fast_only=job.fast_only, measure=job.measure,
            max_snap_m=job.max_snap_m, scenario=name, reuse=res.extra["snapped"])
        rows.append(after.coverage)
        cov = after.coverage
        engine_share = float(cov.loc[cov["measure"] == _measure_name(job.demand, origins),
                                     "share"].iloc[0])
        sres.summary[name]["share_after_engine"] = engine_share
        if abs(engine_share - sres.summary[name]["share_after"]) > 1e-6:
            logger.warning("%s: predicted share %.6f, engine %.6f", name,
                           sres.summary[name]["share_after"], engine_share)
    res.coverage = pd.concat(rows, ignore_index=True)
    tables["sites"] = site_table(cand, sres, float(weight.sum()), float(weight[covered].sum()),
                                 zones=inputs.zones, roads=inputs.roads, unit=unit)
    open_ = pairs[~covered[pairs["origin"].to_numpy()]]
    gain = np.bincount(open_["target"].to_numpy(), minlength=len(cand),
                       weights=weight[open_["origin"].to_numpy()])
    cand = cand.copy()
    cand["snap_m"] = sc.access_m
    cand["reachable"] = sc.edge >= 0
    cand["covers_weight"] = gain
    for name, pos in sres.chosen.items():
        cand[f"chosen_{name}"] = np.isin(np.arange(len(cand)), pos)
    if job.new_site_capacity is not None:  # k sites of a capacity each (#30)
        from zonekit.analysis.circles.siting_capacity import capacity_sites

        sres.summary["capacity_siting"] = cap = capacity_sites(job, res, network, sc, cand,
                                                               category)
        if not cap["solver"]["optimal"]:
            sres.summary["warnings"] = [*sres.summary.get("warnings", []),
                                        f"capacity siting: solver {cap['solver']['status']}, "
                                        "not proven optimal"]
    tables["candidates"] = cand
    answer = siting_answer(sres.summary, job.demand, unit, job.limits[category], job.measure)
    return {**sres.summary, "demand": job.demand, "demand_unit": unit,
            "answer": _say_not_optimal(answer, sres.summary),
            "candidates_source": "layer" if inputs.candidates is not None
            else f"grid ({site.spacing_m:g} m over {', '.join(site.land_classes)} land, "
                 f"≤ {site.road_max_m:g} m from a road)",
            "method": "spopt MCLP (k sites) and set covering; see zonekit.analysis.circles.siting"}
