"""Maps of the intensity run: 亩均效益 classes A–D, low-efficiency land and the renewal plan.

The map functions take the parcels of a run — the parcel polygons joined with
:attr:`zonekit.analysis.mujun.pipeline.Result.parcels` and :func:`map_columns`, as
``zk.intensity`` gives them (``IntensityResult.parcels``) and ``zonekit intensity`` writes
them to ``parcels.gpkg`` — and compute nothing, so the same code draws a run, the report's
results or a notebook's result.

Each map is a list of :class:`~zonekit.maps.interactive.MapLayer`, bottom first, so it
becomes an HTML map, a PNG/PDF or a styled GeoPackage layer like the zone maps.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"low_plot_ratio": [True, True, False], "low_tax_per_mu": [False, True, False],
...                   "class_d": [False] * 3, "idle": [False] * 3})
>>> low_efficiency_class(t).tolist()
['plot_ratio', 'multiple', 'none']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from zonekit.analysis.mujun import SCENARIO_ZH
from zonekit.maps.interactive import MapLayer
from zonekit.maps.style import LAND_CLASS_ZH, StyleSpec, categorical, mujun_class_style

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

PARK_NAME_ZH = "中关村密云园"

#: Low-efficiency classes: the one rule that fired, or ``multiple``; ``none`` when none did.
LOW_EFFICIENCY_CLASSES: dict[str, tuple[str, str]] = {
    "plot_ratio": ("容积率偏低", "#fd8d3c"),
    "tax_per_mu": ("亩均税收偏低", "#e7298a"),
    "class_d": ("亩均效益D类", "#d7191c"),
    "idle": ("闲置/停产", "#8c510a"),
    "multiple": ("多项原因", "#67000d"),
    "none": ("非低效用地", "#f0f0f0"),
}
#: Flag column of each single-rule class.
RULE_COLUMNS = {"plot_ratio": "low_plot_ratio", "tax_per_mu": "low_tax_per_mu",
                "class_d": "class_d", "idle": "idle"}

MUJUN_FIELDS = ("parcel_id", "zone_id", "land_class", "status", "area_mu", "enterprises",
                "class", "grade_status", "total_score", "revenue_per_mu_wan", "tax_per_mu_wan")
LOW_FIELDS = ("parcel_id", "zone_id", "land_class", "status", "area_mu", "plot_ratio",
              "tax_per_mu_wan", "class", "reasons_zh")
PLAN_FIELDS = ("parcel_id", "zone_id", "land_class", "area_mu", "plan_scenarios", "gain_yi",
               "post_land_output_yi_per_km2", "reasons_zh")


# --- columns the maps add --------------------------------------------------------------------

def low_efficiency_class(parcels: pd.DataFrame) -> pd.Series:
    """Each parcel's low-efficiency class: the rule that fired, ``multiple`` or ``none``.

    Parameters
    ----------
    parcels
        Parcels with the boolean rule columns of
        :func:`zonekit.analysis.mujun.low_efficiency.flag_parcels` (rules switched off may be
        absent).

    Returns
    -------
    pandas.Series
        Indexed like ``parcels``: keys of :data:`LOW_EFFICIENCY_CLASSES`.
    """
    import numpy as np
    import pandas as pd

    cols = {k: c for k, c in RULE_COLUMNS.items() if c in parcels}
    flags = pd.DataFrame({k: parcels[c].fillna(False).astype(bool) for k, c in cols.items()},
                         index=parcels.index)
    n = flags.sum(axis=1).to_numpy()
    first = flags.idxmax(axis=1).to_numpy() if len(flags.columns) else np.full(len(n), "none")
    out = np.where(n >= 2, "multiple", np.where(n == 1, first, "none"))
    return pd.Series(out, index=parcels.index, dtype=object)


_REASON_ZH = [
    (re.compile(r"容积率 plot ratio "), "容积率 "),
    (re.compile(r" \((\d+(?:\.\d+)?) % of the (\w+) mean\)"),
     lambda m: f"（{LAND_CLASS_ZH.get(m.group(2), m.group(2))}用地均值的 {m.group(1)}%）"),
    (re.compile(r"亩均效益 class (\w+)"), r"亩均效益 \1 类"),
    (re.compile(r"闲置/停产 idle or stalled"), "闲置/停产"),
    (re.compile(r" < "), " 低于 "),
    (re.compile(r"; "), "；"),
]


def reasons_zh(reasons: pd.Series) -> pd.Series:
    """Translate the ``reasons`` texts of the low-efficiency rules to Chinese only.

    Examples
    --------
    >>> import pandas as pd
    >>> reasons_zh(pd.Series(["容积率 plot ratio 0.55 < 0.7; 闲置/停产 idle or stalled"])).iloc[0]
    '容积率 0.55 低于 0.7；闲置/停产'
    """
    def one(text: object) -> str:
        s = "" if text is None or text != text else str(text)
        for pattern, repl in _REASON_ZH:
            s = pattern.sub(repl, s)
        return s

    return reasons.map(one)


def plan_scenarios(parcels: pd.DataFrame) -> pd.Series:
    """Names (Chinese) of the scenarios whose renewal plan takes each parcel, ``、``-joined."""
    import pandas as pd

    out = pd.Series("", index=parcels.index, dtype=object)
    for col in [c for c in parcels.columns if str(c).startswith("in_plan_")]:
        name = SCENARIO_ZH.get(col[len("in_plan_"):], col[len("in_plan_"):])
        hit = parcels[col].fillna(False).astype(bool)
        out[hit] = [f"{s}、{name}" if s else name for s in out[hit]]
    return out


def map_columns(parcels: pd.DataFrame) -> pd.DataFrame:
    """Add the maps' and QGIS styles' columns: ``le_class``, ``reasons_zh``, ``plan_scenarios``.

    Returns a copy of ``parcels`` (index kept) with the three columns.
    """
    out = parcels.copy()
    out["le_class"] = low_efficiency_class(out)
    out["reasons_zh"] = reasons_zh(out["reasons"]) if "reasons" in out else ""
    out["plan_scenarios"] = plan_scenarios(out)
    return out


# --- styles ----------------------------------------------------------------------------------

def mujun_style() -> StyleSpec:
    """Parcels by 亩均效益 class, with the parcel's figures in the tooltip."""
    return mujun_class_style("class", fields=MUJUN_FIELDS)


def low_efficiency_style() -> StyleSpec:
    """Parcels by low-efficiency reason; other parcels pale."""
    return categorical("low_efficiency", "le_class", LOW_EFFICIENCY_CLASSES,
                       "低效用地（按认定原因）", fields=LOW_FIELDS, fill_opacity=0.75,
                       stroke_color="#555555", stroke_width_px=0.6)


def renewal_plan_style() -> StyleSpec:
    """Parcels of the 腾笼换鸟 renewal plan: a thick blue outline, labelled with their ids.

    The ids are those of the report's renewal table, so a parcel listed there is found
    on the map without hovering over each outline.
    """
    return StyleSpec(name="renewal_plan", title="腾笼换鸟更新方案地块", color="#08519c",
                     fill_opacity=0.12, stroke_color="#08519c", stroke_width_px=3.0,
                     fields=PLAN_FIELDS, label_column="parcel_id")


def zone_outline_style() -> StyleSpec:
    """Zone boundaries, named, without fill, so the parcels under them stay readable."""
    return StyleSpec(name="zone_outline", title="功能分区边界", color="#1f78b4",
                     fill_opacity=0.0, stroke_color="#1f78b4", stroke_width_px=2.0,
                     fields=("name_zh", "area_km2"), label_column="name_zh")


# --- layers, titles, maps --------------------------------------------------------------------

def _zone_layer(zones: gpd.GeoDataFrame | None) -> list[MapLayer]:
    if zones is None or not len(zones):
        return []
    frame = zones[[c for c in ("zone_id", "name_zh", "geometry") if c in zones]].copy()
    if "area_km2" in zones:
        frame["area_km2"] = zones["area_km2"]
    elif frame.crs is not None and frame.crs.is_projected:
        frame["area_km2"] = frame.geometry.area / 1e6
    return [MapLayer(frame, zone_outline_style(), name="功能分区边界")]


def _parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return parcels if "le_class" in parcels and "reasons_zh" in parcels else map_columns(parcels)


def mujun_layers(parcels: gpd.GeoDataFrame,
                 zones: gpd.GeoDataFrame | None = None) -> list[MapLayer]:
    """Build the 亩均 map: parcels by class A–D (未参评 grey) under the zone outlines."""
    frame = _parcels(parcels)
    return [MapLayer(frame, mujun_style(), name="亩均效益等级"), *_zone_layer(zones)]


def low_efficiency_layers(parcels: gpd.GeoDataFrame,
                          zones: gpd.GeoDataFrame | None = None) -> list[MapLayer]:
    """Build the low-efficiency map: parcels by reason, plan parcels outlined, zone outlines.

    The plan layer holds the parcels taken by the renewal plan of any scenario (its
    tooltip names which); it is empty when no scenario needs renewal.
    """
    import dataclasses

    frame = _parcels(parcels)
    plan = frame.loc[frame["plan_scenarios"].astype(bool)]
    plan_spec = renewal_plan_style()
    if plan.empty:  # folium's tooltip refuses a layer without features
        plan_spec = dataclasses.replace(plan_spec, fields=())
    return [MapLayer(frame, low_efficiency_style(), name="低效用地"),
            MapLayer(plan, plan_spec, name="腾笼换鸟更新方案"), *_zone_layer(zones)]


def mujun_title(park: str = PARK_NAME_ZH) -> str:
    """Title of the 亩均 map."""
    return f"{park} 地块亩均效益评价（A–D 类）"


def low_efficiency_title(park: str = PARK_NAME_ZH) -> str:
    """Title of the low-efficiency map."""
    return f"{park} 低效用地与腾笼换鸟更新方案"


def style_parcels_gpkg(path: object, layer: str = "parcels") -> None:
    """Store the QGIS styles of the parcels layer: 亩均 class (default) and low efficiency.

    The layer must hold the :func:`map_columns` columns (``le_class``, ``reasons_zh``).
    """
    from zonekit.maps.qgis_style import add_style_to_gpkg

    add_style_to_gpkg(path, layer, mujun_style(), description="亩均效益评价（A–D 类）")
    add_style_to_gpkg(path, layer, low_efficiency_style(), default=False,
                      description="低效用地（按认定原因）")


__all__ = ["LOW_EFFICIENCY_CLASSES", "low_efficiency_class",
           "low_efficiency_layers", "low_efficiency_style",
           "low_efficiency_title", "map_columns", "mujun_layers", "mujun_style",
           "mujun_title", "plan_scenarios", "reasons_zh", "renewal_plan_style",
           "style_parcels_gpkg", "zone_outline_style"]
