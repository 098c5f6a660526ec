"""Service circles over partitions: each area's network cut to a buffer no trip can leave.

Origins (homes, population cells, workplaces) are split into parts: by area polygons
(parks, cities; an origin belongs to the first area covering it) and, for origins in no
area or when no areas are given, by square tiles of ``tile_m``. Each part runs the
ordinary engine (:func:`zonekit.analysis.network.graph.build_network`,
:func:`~zonekit.analysis.network.snapping.snap_points`,
:func:`~zonekit.analysis.network.engine.nearest_times`) on the roads and facilities within
``reach`` of its origins, where

    reach = limit × fastest edge speed (network part of any trip within the limit)
            + 3 × max_snap_m (an origin's access leg, a facility's, and its nearest road)

so every route of a trip within the limit, the facility at its end and every road a point
could snap to are inside the cut: each origin's minutes are those of one run over the
whole network (the cut is a subgraph, so it cannot be faster; the best route lies in
it, so it is not slower). The price is overlap: a part does the work of its area plus
the buffer, ``(side + 2 reach)² / side²`` for square parts — small for walking (15 min ×
4.5 km/h ≈ 1.1 km), large for driving (15 min × 60 km/h = 15 km: use parts of a city).

Sources are GeoDataFrames (sliced here, the slices shipped to the workers) or GeoParquet
files with covering bbox columns, which the workers read with a bbox filter: then the
client never holds the roads or the origins. dask is imported only inside the functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from zonekit.analysis.scale.partitions import PartitionLayer, resolve
from zonekit.errors import SchemaError, ZonekitError
from zonekit.zones.storage import location, parquet_columns, parquet_names, parquet_rows

if TYPE_CHECKING:
    import geopandas as gpd
    from distributed import Client

    from zonekit.analysis.network.travel import TravelProfile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionCircleSpec:
    """What to compute: the travel profile, limits and the engine's options."""

    profile: TravelProfile
    limit_minutes: float | Mapping[str, float]
    category_col: str = "category"
    max_snap_m: float = 250.0
    speed_col: str | None = None
    speed_kmh_access: float | None = None
    node_tolerance_m: float = 0.01
    class_col: str = "highway"
    oneway_col: str = "oneway"

    def longest_limit(self) -> float:
        """Largest limit in minutes; partitioning needs every limit to be finite."""
        limits = (list(self.limit_minutes.values()) if isinstance(self.limit_minutes, Mapping)
                  else [self.limit_minutes])
        if any(lim is None or not float(lim) > 0 for lim in limits):
            raise ZonekitError("partitioned circles need a positive time limit for every "
                               f"category (a limit bounds the buffer), found {limits}")
        return max(float(lim) for lim in limits)


def reach_m(spec: PartitionCircleSpec, max_speed_kmh: float) -> float:
    """Distance (m) around a part's origins that holds every route within the limit."""
    trip = spec.longest_limit() * 60.0 * max_speed_kmh / 3.6
    return trip + 3.0 * spec.max_snap_m + 1.0


@dataclass(frozen=True)
class CirclePart:
    """The origins of one area (``area`` = its position) or of one tile (``tile``)."""

    key: str
    core: Any  # shapely geometry holding the part's origins
    area: int | None = None
    tile: tuple[int, int] | None = None


def tile_of(xy: np.ndarray, tile_m: float) -> np.ndarray:
    """Tile (column, row) of each point: squares of ``tile_m`` anchored at the CRS origin."""
    return np.floor(xy / tile_m).astype(np.int64)


def first_area(points: np.ndarray, areas: np.ndarray | None) -> np.ndarray:
    """Position of the first area covering each point; -1 where none does."""
    out = np.full(len(points), -1, dtype=np.int64)
    if areas is None or not len(areas) or not len(points):
        return out
    pt, ar = shapely.STRtree(areas).query(points, predicate="covered_by")
    if len(pt):
        best = pd.Series(ar).groupby(pt).min()
        out[best.index.to_numpy()] = best.to_numpy()
    return out


def belongs(points: np.ndarray, part: CirclePart, areas: np.ndarray | None,
            tile_m: float) -> np.ndarray:
    """Which ``points`` are the part's: first covering area, else their tile."""
    where = first_area(points, areas)
    if part.area is not None:
        return where == part.area
    ij = tile_of(shapely.get_coordinates(points), tile_m)
    return (where < 0) & (ij[:, 0] == part.tile[0]) & (ij[:, 1] == part.tile[1])


def plan_parts(origins: PartitionLayer, tile_m: float,
               areas: np.ndarray | None = None) -> list[CirclePart]:
    """Parts covering every origin: one per area, plus tiles for origins in no area.

    In memory, only tiles holding such origins are listed; for files, every tile meeting
    a file's box (empty ones cost one filtered read).
    """
    parts = [CirclePart(f"area-{k:04d}", geom, area=k)
             for k, geom in enumerate([] if areas is None else areas)]
    if origins.frame is not None:
        pts = origins.frame.geometry.to_numpy()
        loose = first_area(pts, areas) < 0
        tiles = np.unique(tile_of(shapely.get_coordinates(pts[loose]), tile_m), axis=0)
    else:
        found = set()
        for b in origins.bounds:
            lo, hi = tile_of(np.array(b[:2]), tile_m), tile_of(np.array(b[2:]), tile_m)
            found |= {(i, j) for i in range(lo[0], hi[0] + 1) for j in range(lo[1], hi[1] + 1)}
        tiles = np.array(sorted(found), dtype=np.int64).reshape(-1, 2)
    for i, j in tiles:
        box = shapely.box(i * tile_m, j * tile_m, (i + 1) * tile_m, (j + 1) * tile_m)
        parts.append(CirclePart(f"tile-{i}_{j}", box, tile=(int(i), int(j))))
    return parts


def max_speed_kmh(roads: gpd.GeoDataFrame, spec: PartitionCircleSpec) -> float:
    """Fastest speed (km/h) on the usable roads for the profile (0 when there are none)."""
    from zonekit.analysis.network.travel import edge_speeds_kmh, excluded_edges

    if roads is None or not len(roads):
        return 0.0
    usable = ~excluded_edges(roads, spec.profile, spec.class_col)
    speeds = edge_speeds_kmh(roads, spec.profile, spec.speed_col, class_col=spec.class_col)
    return float(speeds[usable].max()) if usable.any() else 0.0


def run_part(part: CirclePart, origins: Any, roads: Any, facilities: Any, spec: PartitionCircleSpec,
             categories: list, reach: float, areas: np.ndarray | None,
             tile_m: float) -> dict[str, Any]:
    """Minutes from the part's origins to the nearest facility of each category.

    Returns ``minutes`` (indexed like the part's origins, one ``minutes_<category>``
    column each) with the part's ``origins`` (the rows themselves) and counts.
    """
    from zonekit.analysis.network.engine import nearest_times
    from zonekit.analysis.network.graph import build_network
    from zonekit.analysis.network.snapping import snap_points

    start = time.perf_counter()
    pts = resolve(origins)
    cols = [f"minutes_{c}" for c in categories]
    stats = {"key": part.key, "origins": 0, "edges": 0, "facilities": 0}
    if pts is None or not len(pts):
        return {"minutes": pd.DataFrame(columns=cols, dtype=float), "origins": pts,
                "stats": stats}
    pts = pts.loc[belongs(pts.geometry.to_numpy(), part, areas, tile_m)]
    stats["origins"] = len(pts)
    if not len(pts):
        return {"minutes": pd.DataFrame(columns=cols, dtype=float), "origins": pts,
                "stats": stats}
    hull = shapely.convex_hull(shapely.multipoints(shapely.get_coordinates(pts.geometry)))
    region = shapely.buffer(hull, reach)
    lines, fac = resolve(roads), resolve(facilities)
    if lines is None or fac is None or not len(lines) or not len(fac):
        return {"minutes": pd.DataFrame(np.nan, index=pts.index, columns=cols), "origins": pts,
                "stats": stats}
    lines = lines.loc[shapely.intersects(lines.geometry.to_numpy(), region)]
    fac = fac.loc[shapely.dwithin(fac.geometry.to_numpy(), hull, reach - spec.max_snap_m)]
    net = build_network(lines, spec.profile, spec.speed_col, spec.node_tolerance_m,
                        class_col=spec.class_col, oneway_col=spec.oneway_col)
    so = snap_points(net, pts, spec.max_snap_m, spec.speed_kmh_access, layer="origins")
    sf = snap_points(net, fac, spec.max_snap_m, spec.speed_kmh_access, layer="facilities")
    cat = pd.Categorical(fac[spec.category_col].to_numpy(dtype=object), categories=categories)
    minutes = nearest_times(net, so, sf, pd.Series(cat, index=fac.index), spec.limit_minutes)
    stats.update(edges=len(lines), facilities=len(fac), seconds=time.perf_counter() - start)
    return {"minutes": minutes, "origins": pts, "stats": stats}


def _categories(facilities: PartitionLayer, col: str) -> list:
    """Every facility category, ordered as the engine orders them (sorted)."""
    if facilities.frame is not None:
        values = facilities.frame[col] if col in facilities.frame else None
    else:
        values = (pd.concat([parquet_columns(f, [col]) for f in facilities.files])[col]
                  if all(col in parquet_names(f) for f in facilities.files) else None)
    if values is None:
        raise SchemaError(f"layer 'facilities': category column '{col}' not found")
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    if values.isna().any():
        raise SchemaError(f"layer 'facilities', column '{col}': {int(values.isna().sum())} "
                          "facilities without a category")
    uniques = pd.unique(values.to_numpy(dtype=object))
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=str)


def _file_max_speed(path: Path, spec: PartitionCircleSpec) -> float:
    names = set(parquet_names(path))
    cols = [c for c in (spec.class_col, "maxspeed", spec.speed_col) if c and c in names]
    if cols:
        return max_speed_kmh(parquet_columns(path, cols), spec)
    rows = parquet_rows(path)  # no attributes: every edge at the default
    return float(spec.profile.default_speed_kmh) if rows else 0.0


def circles(origins: gpd.GeoDataFrame | Path | str, roads: gpd.GeoDataFrame | Path | str,
            facilities: gpd.GeoDataFrame | Path | str, spec: PartitionCircleSpec, client: Client, *,
            tile_m: float | None = None, areas: gpd.GeoDataFrame | None = None,
            out: Path | None = None, id_col: str | None = None,
            weight_col: str | None = None, collect: bool = True) -> dict[str, Any]:
    """Nearest-facility minutes for every origin, part by part on a dask cluster.

    Parameters
    ----------
    origins, roads, facilities
        Layers in one projected CRS: GeoDataFrames, or GeoParquet files / folders (read
        on the workers with a bbox filter).
    spec
        Profile, limits and engine options.
    client
        A ``distributed.Client``.
    tile_m
        Side of the square tiles (metres) for origins in no area; default: eight times
        the reach, at least 5 km (overlap factor ≤ 1.56). Larger tiles overlap less but
        hold more of the network per task.
    areas
        Park or city polygons; each origin goes to the first that covers it.
    out
        Folder for ``origins/<part>.parquet`` (origin rows with their minutes).
    id_col, weight_col
        Origin id column kept in the output files; weight (e.g. ``population``) for
        weighted coverage in the summary.
    collect
        Return the minutes of every origin (like ``nearest_times``): in memory only.

    Returns
    -------
    dict
        ``minutes`` (DataFrame indexed like the origins, when collected and in memory),
        ``summary`` (coverage per category, parts, reach, overlap, timings).
    """
    start = time.perf_counter()
    o_layer, r_layer = PartitionLayer.of(origins), PartitionLayer.of(roads)
    f_layer = PartitionLayer.of(facilities)
    categories = _categories(f_layer, spec.category_col)
    if r_layer.frame is not None:
        speed = max_speed_kmh(r_layer.frame, spec)
    else:
        speed = max(client.gather(client.map(_file_max_speed, r_layer.files, spec=spec,
                                             pure=False)) or [0.0])
    reach = reach_m(spec, speed)
    tile_m = float(tile_m) if tile_m else max(8.0 * reach, 5000.0)
    area_geoms = None if areas is None else areas.geometry.to_numpy()
    parts = plan_parts(o_layer, tile_m, area_geoms)
    logger.info("%d parts; reach %.0f m at %.0f km/h; tiles of %.0f m", len(parts), reach,
                speed, tile_m)
    areas_f = client.scatter(area_geoms, broadcast=True) if area_geoms is not None else None
    futures, held = [], []
    for part in parts:
        bounds = shapely.bounds(part.core)
        o_piece = o_layer.slice(tuple(bounds))
        grow = tuple(np.asarray(bounds) + np.array([-reach, -reach, reach, reach]))
        if o_layer.frame is not None and not len(o_piece):
            continue
        pieces = [o_piece, r_layer.slice(grow), f_layer.slice(grow)]
        pieces = [client.scatter(p, hash=False) if isinstance(p, pd.DataFrame) else p
                  for p in pieces]  # frames travel once, outside the task graph
        held.append(pieces)  # keep the data alive until the tasks ran
        futures.append(client.submit(
            _part_task, part, *pieces, spec=spec, categories=categories, reach=reach,
            areas=areas_f, tile_m=tile_m, out=out, id_col=id_col, weight_col=weight_col,
            collect=collect and o_layer.frame is not None, pure=False))
    results = client.gather(futures)
    del held
    summary = _circle_summary(results, categories, spec, reach, speed, tile_m,
                              r_layer.rows(), weight_col)
    summary["timings_s"] = {"total_s": round(time.perf_counter() - start, 3)}
    answer: dict[str, Any] = {"summary": summary}
    if collect and o_layer.frame is not None:
        frames = [r["minutes"] for r in results if r.get("minutes") is not None]
        minutes = pd.concat(frames) if frames else pd.DataFrame(
            columns=[f"minutes_{c}" for c in categories], dtype=float)
        answer["minutes"] = minutes.reindex(o_layer.frame.index)
    return answer


def _part_task(part: CirclePart, origins: Any, roads: Any, facilities: Any, *,
               spec: PartitionCircleSpec, categories: list, reach: float, areas: Any, tile_m: float,
               out: Path | None, id_col: str | None, weight_col: str | None,
               collect: bool) -> dict[str, Any]:
    res = run_part(part, origins, roads, facilities, spec, categories, reach, areas, tile_m)
    minutes, pts = res["minutes"], res["origins"]
    stats = res["stats"]
    within = minutes.notna()
    stats["within"] = within.sum().astype(int).to_dict()
    if weight_col is not None and pts is not None and len(pts):
        w = pd.to_numeric(pts[weight_col], errors="coerce").fillna(0.0)
        stats["weight"] = float(w.sum())
        stats["weight_within"] = {c: float(w[within[c]].sum()) for c in minutes}
    if out is not None and pts is not None and len(pts):
        _write_minutes(part, pts, minutes, out, id_col, weight_col)
    return {"stats": stats, "minutes": minutes if collect else None}


def _write_minutes(part: CirclePart, pts: gpd.GeoDataFrame, minutes: pd.DataFrame, out: Path,
                   id_col: str | None, weight_col: str | None) -> None:
    import geopandas as gpd

    from zonekit.zones.io import atomic_path

    keep = [c for c in (id_col, weight_col) if c is not None and c in pts]
    gdf = gpd.GeoDataFrame(pts[keep].join(minutes), geometry=pts.geometry, crs=pts.crs)
    target = location(out) / "origins" / f"{part.key}.parquet"
    with atomic_path(target) as tmp:
        gdf.to_parquet(tmp, write_covering_bbox=True, index=id_col is None)


def _circle_summary(results: list[dict], categories: list, spec: PartitionCircleSpec, reach: float,
                    speed: float, tile_m: float, total_edges: int,
                    weight_col: str | None) -> dict[str, Any]:
    stats = [r["stats"] for r in results]
    n = sum(s["origins"] for s in stats)
    cover: dict[str, Any] = {}
    for c in categories:
        col = f"minutes_{c}"
        within = sum(s.get("within", {}).get(col, 0) for s in stats)
        entry: dict[str, Any] = {"origins_within": int(within),
                                 "share_within": round(within / n, 6) if n else None}
        if weight_col is not None:
            w = sum(s.get("weight", 0.0) for s in stats if s["origins"])
            ww = sum(s.get("weight_within", {}).get(col, 0.0) for s in stats)
            entry.update({f"{weight_col}_within": ww,
                          f"{weight_col}_share_within": round(ww / w, 6) if w else None})
        cover[str(c)] = entry
    used = [s for s in stats if s["origins"]]
    edges = sum(s["edges"] for s in used)
    return {
        "profile": spec.profile.name, "limit_minutes": spec.limit_minutes,
        "max_snap_m": spec.max_snap_m, "origins": n, "coverage": cover,
        "parts": len(stats), "parts_with_origins": len(used),
        "fastest_edge_kmh": speed, "reach_m": round(reach, 1), "tile_m": tile_m,
        "road_edges": total_edges, "edges_processed": edges,
        "overlap_factor": round(edges / total_edges, 3) if total_edges else None,
        "part_seconds_max": round(max((s.get("seconds", 0.0) for s in used), default=0.0), 3),
        "part_seconds_sum": round(sum(s.get("seconds", 0.0) for s in used), 3),
    }
