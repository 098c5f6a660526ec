"""Style specs: one place for classes, colours and Chinese labels of every map.

A :class:`StyleSpec` says how one layer is drawn: which column is classified, its
classes (categories or numeric ranges), their colours and Chinese legend labels, which
fields the tooltip shows (with Chinese names and units from :data:`FIELDS`) and which
column labels the features. The folium maps (:mod:`zonekit.maps.interactive`), the
static maps (:mod:`zonekit.maps.static`) and the QGIS styles
(:mod:`zonekit.maps.qgis_style`) are all generated from the same spec, so a class has
the same colour and label in the browser, in the PDF and in QGIS.

Examples
--------
>>> spec = zone_kind_style()
>>> spec.color_of("core_zone"), spec.label_of("core_zone")
('#1f78b4', '核心功能区')
"""

# Module size: ~430 lines — the one place for classes, colours and labels (see the
# docstring); most of its lines are the style tables themselves.

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zonekit.zones.schema import STATUS_ZH

#: Colour of features whose value is missing or falls in no class.
MISSING_COLOR = "#d9d9d9"
MISSING_LABEL = "无数据"
KIND_ZH = {"core_zone": "核心功能区", "municipal_block": "市级高新区区块"}
YES_NO_ZH = {"true": "是", "false": "否"}
MUJUN_CLASS_ZH = {"A": "A类", "B": "B类", "C": "C类", "D": "D类", "not graded": "未参评"}
GRADE_STATUS_ZH = {"graded": "已参评", "no_enterprises": "无企业", "not_built": "在建",
                   "too_small": "规模或用地低于参评门槛", "too_new": "成立未满参评年限",
                   "no_parcel": "无对应地块", "out_of_scope": "用地类别不参评",
                   "graded_separately": "按用地类别单独排名"}
LAND_CLASS_ZH = {"industrial": "工业", "logistics": "物流仓储", "commercial": "商业服务业",
                 "residential": "居住", "public_service": "公共管理与公共服务", "green": "绿地",
                 "road": "道路", "water": "水域", "other": "其他"}


@dataclass(frozen=True)
class Field:
    """An attribute as planners read it: Chinese name, unit and number format.

    Parameters
    ----------
    name
        Column name in zonekit's tables.
    label_zh
        Chinese field name, e.g. ``面积``.
    unit
        Unit shown after the name, e.g. ``km²``; empty for none.
    decimals
        Decimals for numbers; ``None`` shows the value as text.
    values
        Display text for coded values, e.g. ``{"core_zone": "核心功能区"}``.
    """

    name: str
    label_zh: str
    unit: str = ""
    decimals: int | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """Name with unit, e.g. ``面积（km²）``."""
        return f"{self.label_zh}（{self.unit}）" if self.unit else self.label_zh

    def format(self, value: Any) -> str:
        """Format one value for tooltips and legends (``—`` when missing)."""
        if is_missing(value):
            return "—"
        if self.values:
            return self.values.get(value_key(value), str(value))
        if self.decimals is not None:
            try:
                return f"{float(value):,.{self.decimals}f}"
            except (TypeError, ValueError):
                return str(value)
        return str(value)


def _f(name: str, label: str, unit: str = "", decimals: int | None = None,
       values: Mapping[str, str] | None = None) -> tuple[str, Field]:
    return name, Field(name, label, unit, decimals, dict(values or {}))


def is_missing(value: Any) -> bool:
    """None, NaN, or pandas' NA/NaT (empty cells of nullable integer and date columns)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


#: Chinese names, units and formats of the fields maps show.
FIELDS: dict[str, Field] = dict([
    _f("zone_id", "分区编号"), _f("name_zh", "名称"), _f("name_en", "英文名称"),
    _f("kind", "类型", values=KIND_ZH),
    _f("area_km2", "面积", "km²", 2),
    _f("parcels", "地块数", "个", 0),
    _f("built_land_km2", "建成建设用地", "km²", 2),
    _f("industrial_land_km2", "工业用地", "km²", 2),
    _f("land_km2", "地均产出计算用地", "km²", 2),
    _f("enterprises", "企业数", "家", 0),
    _f("employees", "从业人员", "人", 0),
    _f("revenue_yi", "营业收入", "亿元", 2),
    _f("revenue_wan", "营业收入", "万元", 0),
    _f("tax_wan", "税收", "万元", 0),
    _f("land_output_yi_per_km2", "地均产出", "亿元/km²", 1),
    _f("output_per_employee_wan", "人均产出", "万元/人", 1),
    _f("parcel_id", "地块编号"), _f("land_use_name", "用地性质"),
    _f("floor_area_m2", "建筑面积", "m²", 0),
    _f("status", "状态", values=STATUS_ZH),
    _f("name", "名称"), _f("industry", "产业"), _f("category", "类别"),
    _f("chargers", "充电桩", "个", 0), _f("power_kw", "单桩功率", "kW", 0),
    _f("minutes", "到达时间", "分钟", 1),
    _f("population", "人口", "人", 0),
    # Parcels of the intensity run: 亩均 evaluation, low-efficiency flags, renewal.
    _f("land_class", "用地大类", values=LAND_CLASS_ZH),
    _f("area_mu", "面积", "亩", 1), _f("area_m2", "面积", "m²", 0),
    _f("plot_ratio", "容积率", "", 2),
    _f("revenue_per_mu_wan", "亩均营业收入", "万元/亩", 1),
    _f("tax_per_mu_wan", "亩均税收", "万元/亩", 2),
    _f("class", "亩均效益等级", values=MUJUN_CLASS_ZH),
    _f("grade_status", "参评情况", values=GRADE_STATUS_ZH),
    _f("total_score", "综合得分", "分", 1), _f("rank", "排名", "", 0),
    _f("low_efficiency", "低效用地", values=YES_NO_ZH),
    _f("n_reasons", "低效原因数", "项", 0), _f("reasons", "低效原因"),
    _f("reasons_zh", "低效原因"),
    _f("gain_yi", "更新后增收", "亿元", 2),
    _f("post_land_output_yi_per_km2", "更新后地均产出", "亿元/km²", 1),
    _f("in_plan_main", "纳入更新方案（主情景）", values=YES_NO_ZH),
    _f("in_plan_conservative", "纳入更新方案（保守情景）", values=YES_NO_ZH),
    _f("plan_scenarios", "纳入更新方案的情景"),
    _f("priority_main", "推进顺序（主情景）", "", 0),
    _f("priority_conservative", "推进顺序（保守情景）", "", 0),
    _f("lon", "经度", "°", 5), _f("lat", "纬度", "°", 5),
    _f("firms", "地块上的企业"), _f("lease_end_year", "出让年限至", "年", 0),
    _f("renewal_candidate", "更新候选地块", values=YES_NO_ZH),
    # Service circles and charging (zonekit circles).
    _f("covered", "已覆盖", values=YES_NO_ZH), _f("complete", "业态齐全", values=YES_NO_ZH),
    _f("origin_id", "起点编号"), _f("weight", "权重", "", 1), _f("n_missing", "缺少业态", "类", 0),
    _f("missing_zh", "时限内不可达的业态"), _f("minutes_text", "各业态到达时间（分钟）"),
    _f("category_zh", "类别"), _f("limit_minutes", "时间阈值", "分钟", 0),
    _f("candidate_id", "候选点编号"), _f("added_weight", "新增覆盖", "", 1),
    _f("share_after", "选址后覆盖比例", "", 3), _f("length_m", "长度", "m", 0),
])


def field_info(name: str) -> Field:
    """Return the :class:`Field` of column ``name`` (its own name when unknown)."""
    return FIELDS.get(name, Field(name, name))


def value_key(value: Any) -> str:
    """Canonical text of a class value, as QGIS compares it (``true``, ``3``, ``A``)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Category:
    """One class of a categorical style: a value, its Chinese label and colour."""

    value: str
    label: str
    color: str


@dataclass(frozen=True)
class Range:
    """One class of a graduated style: ``lower <= x <= upper`` (first match wins)."""

    lower: float
    upper: float
    label: str
    color: str


@dataclass(frozen=True)
class StyleSpec:
    """How one layer is drawn, in folium, matplotlib and QGIS alike.

    Parameters
    ----------
    name
        Identifier, also the QGIS style name (≤ 30 characters).
    title
        Legend title in Chinese with unit, e.g. ``地均产出（亿元/km²）``.
    geometry
        ``polygon``, ``point`` or ``line``.
    column
        Classified column; ``None`` for a single symbol.
    categories, ranges
        Classes of a categorical or a graduated style (at most one is non-empty).
    fields
        Columns shown in tooltips/popups (names and units from :data:`FIELDS`).
    label_column
        Column drawn as a text label on each feature, if any.
    color
        Colour of a single-symbol style.
    fill_opacity
        Opacity of polygon fills and point markers, 0–1.
    stroke_color, stroke_width_px
        Outline colour and width in screen pixels (lines: width of the line).
    point_radius_px
        Radius of point markers in screen pixels.
    """

    name: str
    title: str
    geometry: str = "polygon"
    column: str | None = None
    categories: tuple[Category, ...] = ()
    ranges: tuple[Range, ...] = ()
    fields: tuple[str, ...] = ()
    label_column: str | None = None
    color: str = "#3182bd"
    fill_opacity: float = 0.7
    stroke_color: str = "#333333"
    stroke_width_px: float = 1.0
    point_radius_px: float = 5.0

    def __post_init__(self) -> None:
        if self.categories and self.ranges:
            raise ValueError(f"style {self.name!r}: give categories or ranges, not both")
        if (self.categories or self.ranges) and not self.column:
            raise ValueError(f"style {self.name!r}: classes need a column")
        if self.geometry not in ("polygon", "point", "line"):
            raise ValueError(f"style {self.name!r}: geometry must be polygon, point or line, "
                             f"got {self.geometry!r}")

    @property
    def kind(self) -> str:
        """``categorical``, ``graduated`` or ``single``."""
        return "categorical" if self.categories else "graduated" if self.ranges else "single"

    def _class_of(self, value: Any) -> Category | Range | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.categories:
            key = value_key(value)
            return next((c for c in self.categories if c.value == key), None)
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None
        return next((r for r in self.ranges if r.lower <= x <= r.upper), None)

    def color_of(self, value: Any) -> str:
        """Fill colour of a feature with ``value`` in :attr:`column` (grey when unclassed)."""
        if self.kind == "single":
            return self.color
        cls = self._class_of(value)
        return MISSING_COLOR if cls is None else cls.color

    def label_of(self, value: Any) -> str:
        """Legend label of the class ``value`` falls in."""
        if self.kind == "single":
            return self.title
        cls = self._class_of(value)
        return MISSING_LABEL if cls is None else cls.label

    def colors(self, values: Iterable[Any]) -> list[str]:
        """:meth:`color_of` for each value."""
        return [self.color_of(v) for v in values]

    def legend(self, values: Iterable[Any] | None = None) -> list[tuple[str, str]]:
        """Legend entries ``(label, colour)``; a 无数据 entry is added when ``values`` has one."""
        if self.kind == "single":
            return [(self.title, self.color)]
        items = [(c.label, c.color) for c in (*self.categories, *self.ranges)]
        if values is not None and any(self._class_of(v) is None for v in values):
            items.append((MISSING_LABEL, MISSING_COLOR))
        return items


#: Legend label of a facility category of the user's data that has no Chinese name (a value
#: no profile category or synonym matches, e.g. "market"): said as the data's own.
OWN_CATEGORY_ZH = "{value}（数据中的类别）"


def category_label(category: Any, name_zh: Any = None) -> str:
    """Return the Chinese legend label of a facility category.

    Examples
    --------
    >>> category_label("pharmacy", "药店"), category_label("market", "market")
    ('药店', 'market（数据中的类别）')
    """
    name = str(name_zh) if isinstance(name_zh, str) and name_zh else str(category)
    if name == str(category) and not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return OWN_CATEGORY_ZH.format(value=name)
    return name


def categorical(name: str, column: str, classes: Mapping[Any, tuple[str, str]], title: str,
                **kwargs: Any) -> StyleSpec:
    """Build a categorical style from ``{value: (Chinese label, colour)}``.

    Examples
    --------
    >>> s = categorical("cov", "covered", {True: ("已覆盖", "#2b8cbe"),
    ...                                    False: ("未覆盖", "#de2d26")}, "覆盖")
    >>> s.color_of(False)
    '#de2d26'
    """
    cats = tuple(Category(value_key(v), label, color) for v, (label, color) in classes.items())
    return StyleSpec(name=name, title=title, column=column, categories=cats, **kwargs)


def class_colors(n: int, cmap: str = "YlOrRd") -> list[str]:
    """``n`` colours evenly spaced along a colour ramp, light to dark.

    The ramps are a fixed table, so a map is drawn without importing matplotlib.
    """
    from zonekit.maps.ramps import ramp_colors

    if n == 1:
        return ramp_colors(cmap, [0.6])
    return ramp_colors(cmap, [0.15 + 0.8 * i / (n - 1) for i in range(n)])


def graduated(name: str, column: str, values: Sequence[float] | Any, title: str, *,
              scheme: str = "FisherJenks", k: int = 5, breaks: Sequence[float] | None = None,
              cmap: str = "YlOrRd", decimals: int = 1, **kwargs: Any) -> StyleSpec:
    """Build a graduated style whose classes come from :mod:`mapclassify`.

    Parameters
    ----------
    values
        The data to classify (missing values are ignored).
    scheme
        A mapclassify classifier name (``FisherJenks``, ``Quantiles``, ``EqualInterval``,
        ``NaturalBreaks`` …); ignored when ``breaks`` is given.
    k
        Number of classes; lowered to the number of distinct values when there are fewer.
    breaks
        Upper bounds of the classes (``mapclassify.UserDefined``), e.g. minutes 5, 10, 15.
    cmap
        Matplotlib colormap the class colours are taken from.
    decimals
        Decimals in the class labels.
    """
    y = np.asarray(values, dtype=float)
    y = y[~np.isnan(y)]
    if y.size == 0:
        raise ValueError(f"style {name!r}: column {column!r} has no values to classify")
    if breaks is not None:
        bins = [float(b) for b in breaks]
        if y.max() > bins[-1]:
            bins.append(float(y.max()))
        lower0 = min(float(y.min()), 0.0)
    else:
        k = max(1, min(k, len(np.unique(y))))
        if k == 1:
            bins = [float(y.max())]
        else:
            import warnings

            import mapclassify  # slow to import (scipy.stats, pyplot): only when classifying

            with warnings.catch_warnings():  # "Numba not installed": only slower
                warnings.filterwarnings("ignore", message=".*Numba.*")
                bins = [float(b) for b in getattr(mapclassify, scheme)(y, k=k).bins]
        lower0 = float(y.min())
    lowers = [lower0, *bins[:-1]]
    colors = class_colors(len(bins), cmap)
    ranges = tuple(Range(lo, hi, _range_label(lo, hi, decimals), c)
                   for lo, hi, c in zip(lowers, bins, colors, strict=True))
    return StyleSpec(name=name, title=title, column=column, ranges=ranges, **kwargs)


def _range_label(lower: float, upper: float, decimals: int) -> str:
    lo, hi = f"{lower:,.{decimals}f}", f"{upper:,.{decimals}f}"
    return hi if lo == hi else f"{lo} – {hi}"


# --- The styles of zonekit's maps ---------------------------------------------------------

ZONE_FIELDS = ("name_zh", "kind", "area_km2", "built_land_km2", "enterprises", "employees",
               "revenue_yi", "land_output_yi_per_km2")


def zone_kind_style(label_column: str | None = "label_zh") -> StyleSpec:
    """Zones by kind: the three core zones and the three municipal blocks."""
    return categorical(
        "zones_by_kind", "kind",
        {"core_zone": (KIND_ZH["core_zone"], "#1f78b4"),
         "municipal_block": (KIND_ZH["municipal_block"], "#ff7f00")},
        "功能分区", fields=ZONE_FIELDS, label_column=label_column, fill_opacity=0.45,
        stroke_width_px=2.0)


def land_output_style(values: Sequence[float] | Any, scheme: str = "FisherJenks", k: int = 5,
                      label_column: str | None = "name_zh") -> StyleSpec:
    """Land output 地均产出 in 亿元/km², classed with mapclassify."""
    return graduated("land_output", "land_output_yi_per_km2", values, "地均产出（亿元/km²）",
                     scheme=scheme, k=k, cmap="YlOrRd", decimals=1, fields=ZONE_FIELDS,
                     label_column=label_column, fill_opacity=0.75, stroke_width_px=1.5)


def mujun_class_style(column: str = "class", geometry: str = "polygon",
                      fields: tuple[str, ...] = ()) -> StyleSpec:
    """亩均 evaluation classes A–D (A best), and units that were not graded."""
    return categorical(
        "mujun_class", column,
        {"A": ("A类", "#1a9641"), "B": ("B类", "#a6d96a"), "C": ("C类", "#fdae61"),
         "D": ("D类", "#d7191c"), "not graded": ("未参评", "#bdbdbd")},
        "亩均效益评价（A 类最优）", geometry=geometry, fields=fields)


def coverage_style(column: str = "covered", geometry: str = "polygon",
                   fields: tuple[str, ...] = ()) -> StyleSpec:
    """Covered / not covered by a service circle (a boolean column)."""
    return categorical("coverage", column,
                       {True: ("已覆盖", "#2b8cbe"), False: ("未覆盖", "#de2d26")},
                       "服务圈覆盖", geometry=geometry, fields=fields)


def band_style(bands: Any, unit: str = "minutes",
               fields: tuple[str, ...] = ("minutes",)) -> StyleSpec:
    """Isochrone bands by their own bounds: an 8-minute category's last band reads 5–8.

    ``bands`` is an isochrone layer (:func:`zonekit.analysis.circles.bands.isochrone_bands`):
    each row a band from ``<unit>_from`` to ``<unit>`` (its upper bound, the class value).
    A band's lower bound depends on its upper bound only (the band edges below it), so
    one class per upper bound labels every category's bands right, and one legend serves
    the layers of every category. Classes are ranges up to each upper bound (a float32
    grid's 8.3000002 still reads 8.3).

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"minutes_from": [0, 5, 0, 5, 10], "minutes": [5, 8, 5, 10, 15]})
    >>> spec = band_style(b)
    >>> [r.label for r in spec.ranges], spec.label_of(10.0)
    (['0–5', '5–8', '5–10', '10–15'], '5–10')
    """
    import pandas as pd

    upper = pd.to_numeric(bands[unit], errors="coerce")
    lower = pd.to_numeric(bands[f"{unit}_from"], errors="coerce") \
        if f"{unit}_from" in bands else pd.Series(np.nan, index=upper.index)
    pairs = pd.DataFrame({"lo": lower, "hi": upper}).dropna(subset=["hi"])
    pairs = pairs.groupby("hi", sort=True)["lo"].max()  # one class per upper bound
    if pairs.empty:
        raise ValueError(f"style 'minutes': column {unit!r} has no values to classify")
    his = pairs.index.to_numpy(float)
    los = [lo if lo == lo else (his[k - 1] if k else 0.0)  # no lower: the bound below
           for k, lo in enumerate(pairs.to_numpy(float))]
    tol = 1e-6 * max(1.0, float(his.max()))
    starts = [min(0.0, float(his[0])), *(his[:-1] + tol)]
    ranges = tuple(Range(float(a), float(hi) + tol, f"{lo:g}–{hi:g}", c)
                   for a, lo, hi, c in zip(starts, los, his, class_colors(len(his), "YlGnBu_r"),
                                           strict=True))
    title = "到达时间（分钟）" if unit == "minutes" else "网络距离（米）"
    return StyleSpec(name="minutes" if unit == "minutes" else "metres", title=title,
                     column=unit, ranges=ranges, fields=fields)


def minutes_style(values: Sequence[float] | Any, column: str = "minutes",
                  breaks: Sequence[float] = (5, 10, 15, 30), geometry: str = "polygon",
                  fields: tuple[str, ...] = ("minutes",)) -> StyleSpec:
    """Travel time in minutes, classed at fixed breaks (5, 10, 15, 30 minutes)."""
    return graduated("minutes", column, values, "到达时间（分钟）", breaks=breaks,
                     cmap="YlGnBu_r", decimals=0, geometry=geometry, fields=fields)
