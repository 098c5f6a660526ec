"""The three service circles: 15-minute life circle, industry circle, 5-minute charging.

Each circle function takes a built network, origins and facilities (GeoDataFrames in the
network's CRS) and returns a :class:`CircleResult`: the per-origin table (indexed like the
origins), a long coverage table and facility/summary notes. All times come from the exact
engine (:func:`zonekit.analysis.network.engine.nearest_times`), origin → facility.

Definitions (also written into ``summary.json``):

* A category **covers** an origin when the nearest facility of that category is within
  the category's threshold (``within_<category>``); thresholds may differ by category
  (5 min for a convenience store, 15 for a supermarket). ``minutes_<category>`` holds the
  time up to a longer report limit, so a planner reads how far a missed facility is.
* **Shares** are weighted: population cells by persons, other origins by their weight
  (1 each unless a weight column is given). Unreachable origins (farther than the snap
  distance from every road) stay in the denominator, uncovered.
* **Basics complete**: every category of the profile's ``basics`` covers the origin.
* **Industry completeness score**: Σ weight of the elements within reach / Σ weights,
  0–1; the chain element is within reach when at least ``min_peers`` *other* enterprises
  of the chain are.
* **Charging**: shares of population, parcels (from their centroids), enterprises and
  road length (exact split of edges at the limit) within the threshold of a station.
* ``measure="metres"``: the network is built at one metre per second for every edge and
  the access legs, so the engine's seconds are metres of network distance (exact); such
  columns are named ``metres_<category>``.
"""

# Module size: ~490 lines — the three circles share their snapping, timing and coverage
# helpers here; each circle function is self-contained below them.

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.circles.profile import SAME_CHAIN, ChainSpec, CircleSpec
from zonekit.analysis.network.engine import LIMIT_TOLERANCE_S, nearest_times
from zonekit.analysis.network.graph import Network, build_network
from zonekit.analysis.network.snapping import Snapped, snap_points

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.analysis.circles.origins import Origins

logger = logging.getLogger(__name__)

#: Speed (km/h) that makes one second of travel one metre (``measure="metres"``).
METRE_SPEED_KMH = 3.6

#: Unit of the origins measure by what weighs an origin: persons of a population grid or
#: column, 1 per origin when no weight column was given (a count), else the user's weights.
WEIGHT_UNITS = {"population": "persons", "origins": "origins"}
COVERAGE_COLUMNS = ("scenario", "category", "name_zh", "measure", "unit", "limit", "total",
                    "covered", "share")


@dataclass(eq=False)
class CircleResult:
    """What a circle computation returns.

    Attributes
    ----------
    origins
        Per origin (index of the origins): ids, weight, ``snap_m``, ``reachable``,
        ``on_main_network``, ``<unit>_<category>`` and circle-specific columns.
    coverage
        Long table (:data:`COVERAGE_COLUMNS`): one row per scenario, category and measure.
    facilities
        Per facility: ``facility_id``, ``category``, ``reachable``, ``snap_m``,
        ``on_main_network``, ``reason``.
    summary
        Figures and notes for ``summary.json``.
    snapped
        The snapped origins and facilities (reused by surfaces and siting).
    extra
        Further tables (``zones`` for the industry circle, ``roads`` for charging).
    """

    origins: pd.DataFrame
    coverage: pd.DataFrame
    facilities: pd.DataFrame
    summary: dict[str, Any]
    snapped: dict[str, Snapped] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def circle_network(roads: gpd.GeoDataFrame, mode: str, measure: str = "minutes",
                   travel_profile: Any = None, speed_col: str | None = None) -> Network:
    """Build the network for a circle; ``measure="metres"`` makes every second a metre."""
    from zonekit.analysis.network.travel import load_travel_profile

    prof = travel_profile or load_travel_profile(mode)
    if measure == "metres":
        prof = dataclasses.replace(prof, default_speed_kmh=METRE_SPEED_KMH, speeds_kmh={},
                                   use_maxspeed=False, access_speed_kmh=METRE_SPEED_KMH)
        speed_col = None
    elif measure != "minutes":
        raise ValueError(f"measure must be 'minutes' or 'metres', got {measure!r}")
    return build_network(roads, prof, speed_col)


def to_unit(minutes: pd.DataFrame | np.ndarray, measure: str) -> Any:
    """Engine minutes → the measure's unit (metres are engine seconds)."""
    return minutes * 60.0 if measure == "metres" else minutes


def engine_limit(limit: float, measure: str) -> float:
    """Convert a threshold in the measure's unit to engine minutes."""
    return float(limit) / 60.0 if measure == "metres" else float(limit)


def main_component(network: Network) -> int:
    """Label of the largest (weakly connected) piece of the network."""
    return int(network.components_report().loc[0, "component"]) if network.n_nodes else -1


def point_report(network: Network, snapped: Snapped, main: int) -> pd.DataFrame:
    """``snap_m``, ``reachable``, ``on_main_network`` and ``reason`` per snapped point."""
    ok = snapped.edge >= 0
    comp = np.where(ok, network.components[network.edge_u[np.maximum(snapped.edge, 0)]], -1)
    reason = pd.Series("", index=snapped.index, dtype=object)
    reason[~ok] = snapped.unreachable["reason"].reindex(snapped.index[~ok]).to_numpy()
    small = ok & (comp != main)
    reason[small] = "on a small network piece, cut off from the main network"
    return pd.DataFrame({"snap_m": snapped.access_m, "reachable": ok,
                         "on_main_network": comp == main, "reason": reason},
                        index=snapped.index)


def _snap(network: Network, gdf: gpd.GeoDataFrame, max_snap_m: float, layer: str) -> Snapped:
    return snap_points(network, gdf, max_snap_m, layer=layer)


def coverage_rows(covered: pd.DataFrame, weight: np.ndarray, limits: dict[str, float],
                  names_zh: dict[str, str], measure_name: str, unit: str,
                  scenario: str = "current") -> pd.DataFrame:
    """Coverage rows: per column of boolean ``covered``, weighted totals and share."""
    total = float(np.sum(weight))
    rows = []
    for cat in covered.columns:
        cov = float(np.sum(weight[covered[cat].to_numpy(bool)]))
        rows.append({"scenario": scenario, "category": cat, "name_zh": names_zh.get(cat, cat),
                     "measure": measure_name, "unit": unit, "limit": limits.get(cat, np.nan),
                     "total": total, "covered": cov, "share": cov / total if total else 0.0})
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))


def _categories(facilities: gpd.GeoDataFrame, cats: list[str], category_col: str
                ) -> tuple[gpd.GeoDataFrame, pd.Series, dict[str, Any]]:
    """Keep the facilities of ``cats``; a categorical Series; notes on the rest."""
    blank = facilities[category_col].isna().to_numpy()
    values = facilities[category_col].astype(str)
    keep = values.isin(cats).to_numpy() & ~blank
    counts = values[keep].value_counts()
    # blank: no category, or one the run left out (named by the run's categories notes)
    notes = {"by_category": {c: int(counts.get(c, 0)) for c in cats},
             "empty_categories": [c for c in cats if counts.get(c, 0) == 0],
             "ignored_categories": sorted(set(values[~keep & ~blank])),
             "facilities_without_run_category": int(blank.sum())}
    for c in notes["empty_categories"]:
        logger.warning("category %r has no facilities: its coverage is 0", c)
    sub = facilities[keep]
    return sub, pd.Series(pd.Categorical(values[keep], categories=cats), index=sub.index), notes


def within_limits(times: pd.DataFrame, limits: dict[str, float], measure: str) -> pd.DataFrame:
    """Whether each ``<measure>_<category>`` time meets its category's threshold.

    The engine's rounding allowance applies, so a search stopped at the threshold and a
    longer search give the same answer.
    """
    tol = LIMIT_TOLERANCE_S if measure == "metres" else LIMIT_TOLERANCE_S / 60.0
    return pd.DataFrame({c: np.nan_to_num(times[f"{measure}_{c}"].to_numpy(float), nan=np.inf)
                         <= limits[c] + tol for c in limits}, index=times.index)


def _times(network: Network, origins: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
           category: pd.Series, limits: dict[str, float], measure: str, max_snap_m: float,
           n_jobs: int, so: Snapped | None = None) -> tuple[pd.DataFrame, Snapped, Snapped]:
    if so is None or so.network_uid != network.uid:
        so = _snap(network, origins, max_snap_m, "origins")
    sf = _snap(network, facilities, max_snap_m, "facilities")
    lim = {c: engine_limit(v, measure) for c, v in limits.items()}
    t = nearest_times(network, so, sf, category.reset_index(drop=True), lim, n_jobs=n_jobs)
    t = to_unit(t, measure)
    t.columns = [f"{measure}_{c[len('minutes_'):]}" for c in t.columns]
    return t, so, sf


def _base(origins: Origins, network: Network, so: Snapped, main: int) -> pd.DataFrame:
    pts = origins.points
    base = pts.drop(columns=pts.geometry.name).copy()
    rep = point_report(network, so, main)
    return base.join(rep[["snap_m", "reachable", "on_main_network"]])


def _facility_table(network: Network, sf: Snapped, facilities: gpd.GeoDataFrame,
                    id_col: str | None, category: pd.Series, main: int) -> pd.DataFrame:
    rep = point_report(network, sf, main)
    ids = facilities[id_col].astype(str) if id_col else facilities.index.astype(str)
    out = pd.DataFrame({"facility_id": np.asarray(ids),
                        "category": category.astype(str).to_numpy()}, index=facilities.index)
    return out.join(rep.set_axis(facilities.index))


def _notes(origins: pd.DataFrame, facilities: pd.DataFrame, network: Network) -> dict[str, Any]:
    pieces = network.components_report()
    return {
        "network": {"nodes": network.n_nodes, "edges": network.n_edges,
                    "length_km": float(network.edge_length_m.sum() / 1e3),
                    "pieces": len(pieces),
                    "main_piece_share_nodes": float(pieces["share_nodes"].iloc[0])
                    if len(pieces) else 0.0,
                    "small_pieces": pieces.iloc[1:6].to_dict("records")},
        "origins_count": len(origins),
        "origins_unreachable": int((~origins["reachable"]).sum()),
        "origins_on_small_pieces": int((origins["reachable"] & ~origins["on_main_network"]).sum()),
        "facilities_count": len(facilities),
        "facilities_unreachable": facilities.loc[~facilities["reachable"], "facility_id"].tolist(),
        "facilities_on_small_pieces": facilities.loc[
            facilities["reachable"] & ~facilities["on_main_network"], "facility_id"].tolist(),
    }


def _missing_columns(table: pd.DataFrame, present: pd.DataFrame, names_zh: dict[str, str]) -> None:
    cats = np.array(present.columns, dtype=object)
    zh = np.array([names_zh.get(c, c) for c in cats], dtype=object)
    m = (~present).to_numpy(bool)
    # texts per distinct pattern of missing categories (few), not per origin (many)
    if m.shape[1] <= 62:  # a pattern as the bits of one integer: sorting rows is slow
        codes = m.astype(np.int64) @ (np.int64(1) << np.arange(m.shape[1], dtype=np.int64))
        _, first, which = np.unique(codes, return_index=True, return_inverse=True)
        patterns = m[first]
    else:
        patterns, which = np.unique(m, axis=0, return_inverse=True)
    which = np.asarray(which).reshape(-1)
    table["missing"] = np.array([",".join(cats[r]) for r in patterns], dtype=object)[which]
    table["missing_zh"] = np.array(["、".join(zh[r]) for r in patterns], dtype=object)[which]
    table["n_missing"] = m.sum(axis=1)


def service_circle(network: Network, origins: Origins, facilities: gpd.GeoDataFrame,
                   spec: CircleSpec, limits: dict[str, float], names_zh: dict[str, str], *,
                   basics: tuple[str, ...] | None = None, category_col: str = "category",
                   id_col: str | None = "fac_id", measure: str = "minutes",
                   max_snap_m: float = 250.0, n_jobs: int = 1,
                   origins_snapped: Snapped | None = None, report_limit: float | None = None,
                   complete_name: str = "basics_complete") -> CircleResult:
    """Compute a service circle: time to each category, missing basics, coverage.

    Parameters
    ----------
    network
        Network for the circle's mode.
    origins
        Population cells, residential parcels or a user layer.
    facilities
        Facilities with ``category_col``; categories outside ``limits`` are ignored.
    spec
        The circle (its ``basics`` unless ``basics`` is given).
    limits
        Threshold per category, in ``measure`` units (minutes or metres).
    names_zh
        Chinese category names.
    origins_snapped
        The origins already snapped to this network (reused, e.g. across scenarios).
    report_limit
        Times are reported up to this limit (``measure`` units; at least each threshold);
        None: up to each category's threshold.
    complete_name
        Coverage category of the complete set: ``basics_complete`` (every basic), or e.g.
        ``all_categories`` when ``basics`` is empty (every category of the run).

    Returns
    -------
    CircleResult
        ``origins`` adds ``<measure>_<category>`` (NaN only beyond the report limit),
        ``within_<category>`` (meets the threshold), ``missing``, ``missing_zh``,
        ``n_missing``, ``complete`` and ``covered`` (= complete).
    """
    cats = list(limits)
    basics = tuple(b for b in (spec.basics if basics is None else basics) if b in cats)
    fac, cat, notes = _categories(facilities, cats, category_col)
    search = dict(limits) if report_limit is None else {
        c: max(float(report_limit), v) for c, v in limits.items()}
    t, so, sf = _times(network, origins.points, fac, cat, search, measure, max_snap_m, n_jobs,
                       origins_snapped)
    main = main_component(network)
    t = t.set_axis(origins.points.index)
    present = within_limits(t, limits, measure)
    table = _base(origins, network, so, main).join(t).join(
        present.add_prefix("within_"))
    _missing_columns(table, present[list(basics)] if basics else present, names_zh)
    table["complete"] = present[list(basics or cats)].all(axis=1)
    table["covered"] = table["complete"]
    w = origins.points["weight"].to_numpy(float)
    covered = present.copy()
    covered[complete_name] = table["complete"]
    cov = coverage_rows(covered, w, dict(limits),
                        {**names_zh, "basics_complete": "基本保障类业态齐全",
                         "all_categories": "全部业态齐全"},
                        origins.weight_name, WEIGHT_UNITS.get(origins.weight_name, "weight"))
    ftab = _facility_table(network, sf, fac, id_col, cat, main)
    summary = {**_notes(table, ftab, network), **notes, "basics": list(basics),
               "report_limit": report_limit,
               "weight_name": origins.weight_name, "weight_total": float(w.sum()),
               "weight_unreachable": float(w[~table["reachable"].to_numpy(bool)].sum())}
    return CircleResult(table, cov, ftab, summary, {"origins": so, "facilities": sf})


def industry_circle(network: Network, enterprises: gpd.GeoDataFrame,
                    facilities: gpd.GeoDataFrame, spec: CircleSpec, chain: ChainSpec,
                    limits: dict[str, float], names_zh: dict[str, str], *,
                    zones: gpd.GeoDataFrame | None = None, category_col: str = "category",
                    id_col: str | None = "fac_id", measure: str = "minutes",
                    max_snap_m: float = 250.0, n_jobs: int = 1,
                    report_limit: float | None = None) -> CircleResult:
    """Compute the industry circle of one chain: what each of its enterprises reaches.

    ``limits`` holds the element categories and ``same_chain``. Returns per enterprise
    ``<measure>_<element>``, ``peers_within`` (other chain enterprises within the limit),
    ``score`` (0–1), ``missing``, ``complete``/``covered``; ``extra["zones"]`` per zone.
    """
    from zonekit.analysis.circles.origins import layer_origins
    from zonekit.analysis.circles.siting import coverage_pairs

    chain_ents = enterprises[enterprises["industry"].astype(str).isin(chain.industries)]
    origins = layer_origins(chain_ents, "ent_id", layer="enterprises", kind="enterprises")
    origins.points["name"] = chain_ents["name"].to_numpy() if "name" in chain_ents else ""
    origins.points["industry"] = chain_ents["industry"].astype(str).to_numpy()
    elements = [c for c in limits if c != SAME_CHAIN]
    res = service_circle(network, origins, facilities, spec, {c: limits[c] for c in elements},
                         names_zh, basics=tuple(elements), category_col=category_col,
                         id_col=id_col, measure=measure, max_snap_m=max_snap_m, n_jobs=n_jobs,
                         report_limit=report_limit)
    table, so = res.origins, res.snapped["origins"]
    present = table[[f"within_{c}" for c in elements]].copy()
    present.columns = elements
    if SAME_CHAIN in limits:
        pairs = coverage_pairs(network, so, so, engine_limit(limits[SAME_CHAIN], measure))
        pairs = pairs[pairs["origin"] != pairs["target"]]
        near = pairs.groupby("origin")["minutes"].agg(["min", "size"])
        peers = np.zeros(len(table), np.int64)
        best = np.full(len(table), np.nan)
        peers[near.index.to_numpy()] = near["size"].to_numpy()
        best[near.index.to_numpy()] = to_unit(near["min"].to_numpy(), measure)
        table[f"{measure}_{SAME_CHAIN}"] = best
        table["peers_within"] = peers
        present.insert(0, SAME_CHAIN, peers >= spec.min_peers)
    weights = {c: chain.weights.get(c, 0.0) for c in present.columns}
    if sum(weights.values()) <= 0:  # e.g. one user category: equal weights
        weights = dict.fromkeys(present.columns, 1.0)
    wv = np.array([weights[c] for c in present.columns])
    table["score"] = present.to_numpy(float) @ wv / wv.sum()
    _missing_columns(table, present, names_zh)
    table["complete"] = present.all(axis=1)
    table["covered"] = table["complete"]
    table.insert(1, "chain", chain.name)
    w = np.ones(len(table))
    cov = coverage_rows(present.assign(all_elements=table["complete"]), w, dict(limits),
                        {**names_zh, "all_elements": "要素齐全"}, "chain_enterprises",
                        "enterprises")
    if zones is not None and len(table):
        table["zone_id"] = _zone_of(origins.points, zones)
    res.extra["zones"] = zone_scores(table, present)
    res.summary.update(chain=chain.name, chain_industries=list(chain.industries),
                       weights=weights, chain_enterprises=len(table),
                       mean_score=float(table["score"].mean()) if len(table) else None,
                       completeness=completeness(table["n_missing"], present.shape[1]))
    res.origins, res.coverage = table, cov
    return res


def _zone_of(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    import shapely

    tree = shapely.STRtree(zones.geometry.to_numpy())
    p, z = tree.query(points.geometry.to_numpy(), predicate="within")
    out = np.full(len(points), "outside", dtype=object)
    first = pd.Series(z).groupby(p).first()
    out[first.index.to_numpy()] = zones["zone_id"].astype(str).to_numpy()[first.to_numpy()]
    return out


def completeness(n_missing: pd.Series, elements: int) -> dict[str, Any]:
    """How many chain firms miss 0, 1, 2, … elements (counts and % of the firms).

    Examples
    --------
    >>> completeness(pd.Series([0, 0, 1, 3]), 3)["firms_by_missing"]
    {'0': 2, '1': 1, '2': 0, '3': 1}
    """
    counts = np.bincount(n_missing.to_numpy(dtype=np.int64), minlength=elements + 1)
    total = int(counts.sum())
    return {"elements": int(elements),
            "firms_by_missing": {str(k): int(v) for k, v in enumerate(counts)},
            "pct_by_missing": {str(k): round(100 * v / total, 2) if total else 0.0
                               for k, v in enumerate(counts)}}


def zone_scores(table: pd.DataFrame, present: pd.DataFrame) -> pd.DataFrame:
    """Per zone (and ``park``): chain enterprises, mean score, shares complete/with each element."""
    df = present.astype(float).set_axis(table.index)
    df["score"] = table["score"]
    df["complete"] = table["complete"].astype(float)
    df["zone_id"] = table["zone_id"] if "zone_id" in table else "park"
    rows = [df.assign(zone_id="park"), df] if "zone_id" in table else [df]
    allz = pd.concat(rows)
    out = allz.groupby("zone_id", sort=True).mean()
    out.columns = [f"share_{c}" if c not in ("score",) else "mean_score" for c in out.columns]
    out.insert(0, "enterprises", allz.groupby("zone_id").size())
    return out.reset_index()


def _demand_weights(name: str, layer: gpd.GeoDataFrame) -> dict[str, tuple[np.ndarray, str]]:
    """Weights of the charging measures.

    Parcels (1 each), built land (km² of construction-land parcels), enterprises (1 each),
    employees.
    """
    from zonekit.zones.landuse import CONSTRUCTION_CLASSES, land_use_class

    ones = np.ones(len(layer))
    if name == "parcels":
        built = land_use_class(layer["land_use"]).isin(CONSTRUCTION_CLASSES).to_numpy()
        return {"parcels": (ones, "parcels"),
                "built_land_km2": (layer.geometry.area.to_numpy() * built / 1e6, "km2")}
    out = {"enterprises": (ones, "enterprises")}
    if "employees" in layer:
        emp = pd.to_numeric(layer["employees"], errors="coerce").fillna(0).to_numpy(float)
        out["employees"] = (emp, "persons")
    return out


def charging_circle(network: Network, origins: Origins, stations: gpd.GeoDataFrame,
                    spec: CircleSpec, limit: float, names_zh: dict[str, str], *,
                    parcels: gpd.GeoDataFrame | None = None,
                    enterprises: gpd.GeoDataFrame | None = None, category: str = "charging_station",
                    category_col: str = "category", id_col: str | None = "fac_id",
                    fast_only: bool = False, measure: str = "minutes", max_snap_m: float = 250.0,
                    scenario: str = "current", reuse: dict[str, Snapped] | None = None,
                    report_limit: float | None = None) -> CircleResult:
    """Compute the charging circle: shares of population, parcels, enterprises, roads.

    ``stations`` may hold other categories (dropped) and ``power_kw`` (stations with
    ``power_kw ≥ spec.fast_power_kw`` are fast; ``fast_only`` keeps only those).
    ``extra["roads"]`` holds the covered/uncovered road pieces, ``extra["demand"]`` the
    snapped points, weights and coverage of each measure, ``extra["snapped"]`` the snapped
    origins, parcels and enterprises (pass it back as ``reuse`` for another scenario).
    """
    from zonekit.analysis.circles.origins import layer_origins
    from zonekit.analysis.circles.road_coverage import road_coverage, road_pieces

    st = stations[stations[category_col].astype(str) == category]
    power = pd.to_numeric(st["power_kw"], errors="coerce") if "power_kw" in st else None
    fast = ((power >= spec.fast_power_kw).to_numpy() if power is not None
            else np.zeros(len(st), bool))
    if fast_only:
        st = st[fast]
    limits = {category: limit}
    reuse = reuse or {}
    res = service_circle(network, origins, st, spec, limits, names_zh, basics=(category,),
                         category_col=category_col, id_col=id_col, measure=measure,
                         max_snap_m=max_snap_m, origins_snapped=reuse.get("origins"),
                         report_limit=report_limit)
    snapped = {"origins": res.snapped["origins"]}
    res.coverage["scenario"] = scenario
    rows = [res.coverage[res.coverage["category"] == category]]
    demand = {"origins": (res.snapped["origins"], origins.points["weight"].to_numpy(float),
                          res.origins["covered"].to_numpy(bool))}
    for name, layer in (("parcels", parcels), ("enterprises", enterprises)):
        if layer is None or not len(layer):
            continue
        o = layer_origins(layer.reset_index(drop=True), layer=name)
        r = service_circle(network, o, st, spec, limits, names_zh, basics=(category,),
                           category_col=category_col, id_col=id_col, measure=measure,
                           max_snap_m=max_snap_m, origins_snapped=reuse.get(name))
        snapped[name] = r.snapped["origins"]
        cov = r.origins["covered"].to_numpy(bool)
        for m, (w, unit) in _demand_weights(name, layer).items():
            rows.append(coverage_rows(pd.DataFrame({category: cov}), w, limits, names_zh, m,
                                      unit, scenario))
            demand[m] = (r.snapped["origins"], w, cov)
        res.summary[f"{name}_unreachable"] = int((~r.origins["reachable"]).sum())
    res.extra["demand"] = demand
    res.extra["snapped"] = snapped
    sf = res.snapped["facilities"]
    intervals = road_coverage(network, sf, engine_limit(limit, measure))
    covered_m = float(((intervals["t1"] - intervals["t0"]).to_numpy()
                       * network.edge_length_m[intervals["edge"].to_numpy(np.int64)]).sum())
    total_m = float(network.edge_length_m.sum())
    rows.append(pd.DataFrame([{
        "scenario": scenario, "category": category, "name_zh": names_zh.get(category, category),
        "measure": "road_length_km", "unit": "km", "limit": limit, "total": total_m / 1e3,
        "covered": covered_m / 1e3, "share": covered_m / total_m if total_m else 0.0}]))
    res.coverage = pd.concat(rows, ignore_index=True)
    res.extra["roads"] = road_pieces(network, intervals)
    res.summary.update(stations=len(st), fast_stations=int(fast.sum()), fast_only=fast_only,
                       fast_power_kw=spec.fast_power_kw,
                       chargers=int(pd.to_numeric(st.get("chargers"), errors="coerce").sum())
                       if "chargers" in st else None)
    return res
