"""Low-efficiency land (低效用地) by configurable rules, every reason listed.

Rules (section ``low_efficiency`` of ``profiles/mujun.yaml``; each can be switched off):

``plot_ratio``
    Built parcels of the given land classes (default industrial) whose plot ratio
    (floor area / parcel area, to two decimals as it is stated) is below ``below``
    (default 0.7: the minimum that the national
    《工业项目建设用地控制指标》(国土资发〔2008〕24号) sets for 医药, 通用/专用设备,
    交通运输设备 and 电气机械 manufacturing, the park's main industries). Parcels without a
    floor area are not judged by this rule (counted as ``plot_ratio_unknown``).
``tax_per_mu``
    Built parcels of the given classes whose 亩均税收 (Σ tax of their firms / parcel 亩)
    is below a line: ``below_wan`` 万元/亩 when set (a county's own line), otherwise
    ``below_share_of_class_mean`` × the mean 亩均税收 of all built parcels of the same land
    class (Σ tax / Σ 亩; default a quarter), which works in any park without a local line.
    A built industrial parcel with no firm pays no tax: flagged.
``class_d``
    Parcels whose 亩均效益 class is one of ``classes`` (default D).
``idle``
    Parcels with status ``idle`` (闲置 or 停产).

A parcel is low-efficiency when any rule fires; ``reasons`` lists all that did. With
``scope: graded`` (the default) only parcels of the main ranking's land classes
(``evaluation.scope.graded``, industrial and logistics) are judged at all: research,
commercial and public-service land is graded on its own and never flagged here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zonekit.analysis import profile_io as pio
from zonekit.analysis.exact_sums import exact_parts
from zonekit.analysis.exact_sums import total as exact_total
from zonekit.analysis.land.measures import BUILT_STATUSES
from zonekit.errors import ProfileError
from zonekit.zones.landuse import CLASSES

RULES = ("plot_ratio", "tax_per_mu", "class_d", "idle")
#: Decimals a plot ratio (容积率) is stated and judged with, as planning conditions and the
#: report's parcel tables give it.
PLOT_RATIO_DECIMALS = 2


@dataclass(frozen=True)
class Rules:
    """Low-efficiency rules; a rule is off when its settings are ``None``."""

    plot_ratio_below: float | None = 0.7
    plot_ratio_classes: tuple[str, ...] = ("industrial",)
    tax_per_mu_below_wan: float | None = None
    tax_below_share_of_class_mean: float | None = 0.25
    tax_on: bool = True
    tax_classes: tuple[str, ...] = ("industrial", "logistics")
    bad_classes: tuple[str, ...] | None = ("D",)
    idle: bool = True
    scope: str = "graded"  # graded: only parcels of only_classes are judged; all: every parcel
    only_classes: tuple[str, ...] | None = None  # set from evaluation.scope by load_mujun_profile


def _classes(value: object, key: str, src: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(v in CLASSES for v in value):
        raise ProfileError(f"{src}, key '{key}': expected a list of land classes from "
                               f"{', '.join(CLASSES)}, found {value!r}")
    return tuple(value)


def parse_rules(raw: dict[str, Any], src: str) -> Rules:
    """Check and convert the ``low_efficiency`` section of a profile."""
    pio.check_keys(raw, {*RULES, "scope"}, src)
    conf = {name: pio.section(raw, name, src) for name in RULES}
    pio.check_keys(conf["plot_ratio"], {"enabled", "land_classes", "below"}, f"{src}.plot_ratio")
    pio.check_keys(conf["tax_per_mu"], {"enabled", "land_classes", "below_wan",
                                        "below_share_of_class_mean"}, f"{src}.tax_per_mu")
    pio.check_keys(conf["class_d"], {"enabled", "classes"}, f"{src}.class_d")
    pio.check_keys(conf["idle"], {"enabled"}, f"{src}.idle")
    on = {name: bool(conf[name].get("enabled", True)) for name in RULES}
    pr, tx, cd = conf["plot_ratio"], conf["tax_per_mu"], conf["class_d"]
    bad = cd.get("classes", ["D"])
    if not isinstance(bad, list) or not all(isinstance(c, str) for c in bad):
        raise ProfileError(f"{src}.class_d, key 'classes': expected a list of class names "
                               f"such as [D], found {bad!r}")
    return Rules(
        plot_ratio_below=pio.number(pr.get("below", 0.7), "below", f"{src}.plot_ratio", 0)
        if on["plot_ratio"] else None,
        plot_ratio_classes=_classes(pr.get("land_classes", ["industrial"]), "land_classes",
                                    f"{src}.plot_ratio"),
        tax_per_mu_below_wan=pio.number(tx.get("below_wan"), "below_wan", f"{src}.tax_per_mu", 0,
                                        allow_none=True),
        tax_below_share_of_class_mean=pio.number(tx.get("below_share_of_class_mean", 0.25),
                                                 "below_share_of_class_mean", f"{src}.tax_per_mu",
                                                 0, allow_none=True),
        tax_on=on["tax_per_mu"],
        tax_classes=_classes(tx.get("land_classes", ["industrial", "logistics"]), "land_classes",
                             f"{src}.tax_per_mu"),
        bad_classes=tuple(bad) if on["class_d"] else None,
        idle=on["idle"],
        scope=pio.choice(raw.get("scope", "graded"), "scope", src, ("graded", "all")),
    )


def flag_parcels(parcel_table: pd.DataFrame, parcel_class: pd.Series | None,
                 rules: Rules, class_means: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Apply the rules to each parcel.

    Parameters
    ----------
    parcel_table
        :func:`zonekit.analysis.land.intensity.parcel_intensity` output.
    parcel_class
        Each parcel's 亩均效益 class (:func:`zonekit.analysis.mujun.evaluation.evaluate_parcels`),
        indexed like ``parcel_table``; ``None`` switches the class rule off.
    rules
        The rules.
    class_means
        Mean 亩均税收 per land class (:func:`class_tax_means`); default: that of
        ``parcel_table``. A partition of a larger run passes the run's means.

    Returns
    -------
    DataFrame indexed like ``parcel_table``: one boolean column per rule (``low_plot_ratio``,
    ``low_tax_per_mu``, ``class_d``, ``idle``), ``plot_ratio_unknown``, ``low_efficiency``,
    ``n_reasons`` and ``reasons`` (all reasons, ``"; "``-separated, empty when none).

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["idle"], "land_class": ["industrial"],
    ...                   "plot_ratio": [0.5], "tax_per_mu_wan": [20.0]})
    >>> flag_parcels(t, None, Rules(tax_on=False))["n_reasons"].iloc[0]
    np.int64(2)
    """
    cls = parcel_table["land_class"]
    built = parcel_table["status"].isin(BUILT_STATUSES)
    judged = (cls.isin(rules.only_classes) if rules.only_classes is not None
              else pd.Series(True, index=cls.index))
    out = pd.DataFrame(index=parcel_table.index)
    texts: list[pd.Series] = []
    # judged as it is stated, to two decimals (0.6998 is 容积率 0.70, not below 0.7)
    ratio = parcel_table["plot_ratio"].astype(float).round(PLOT_RATIO_DECIMALS)
    in_pr = judged & built & cls.isin(rules.plot_ratio_classes)
    if rules.plot_ratio_below is not None:
        out["low_plot_ratio"] = in_pr & (ratio < rules.plot_ratio_below)
        limit = rules.plot_ratio_below
        texts.append(_text(out["low_plot_ratio"], ratio.map(
            lambda v: f"容积率 {v:.{PLOT_RATIO_DECIMALS}f} < {limit:g}")))
    out["plot_ratio_unknown"] = in_pr & ratio.isna()
    line = tax_lines(parcel_table, rules, class_means)
    if line is not None:
        tax = parcel_table["tax_per_mu_wan"].astype(float)
        out["low_tax_per_mu"] = judged & built & cls.isin(rules.tax_classes) & (tax < line)
        texts.append(_text(out["low_tax_per_mu"], pd.Series(
            [f"亩均税收 {below_text(v, lim)} < {lim:.2f} 万元/亩{_basis(rules, c)}"
             for v, lim, c in zip(tax, line, cls, strict=True)], index=tax.index)))
    if rules.bad_classes is not None and parcel_class is not None:
        pc = parcel_class.reindex(parcel_table.index)
        out["class_d"] = judged & pc.isin(rules.bad_classes)
        texts.append(_text(out["class_d"], pc.map(lambda c: f"亩均效益 {c} 类")))
    if rules.idle:
        out["idle"] = judged & (parcel_table["status"] == "idle")
        texts.append(_text(out["idle"], pd.Series("闲置/停产",
                                                  index=parcel_table.index)))
    rule_cols = [c for c in ("low_plot_ratio", "low_tax_per_mu", "class_d", "idle") if c in out]
    out[rule_cols] = out[rule_cols].fillna(False).astype(bool)
    out["n_reasons"] = out[rule_cols].sum(axis=1).astype(int)
    out["low_efficiency"] = out["n_reasons"] > 0
    joined = pd.concat(texts, axis=1) if texts else pd.DataFrame(index=out.index)
    out["reasons"] = ["; ".join(t for t in row if t) for row in joined.itertuples(index=False)]
    return out


def tax_lines(parcel_table: pd.DataFrame, rules: Rules,
              class_means: Mapping[str, float] | None = None) -> pd.Series | None:
    """Return the 亩均税收 line (万元/亩) each parcel is held to; ``None`` when the rule is off.

    Absolute (``tax_per_mu_below_wan``) when set, else the share of its land class's mean
    over built parcels (Σ tax / Σ 亩, :func:`class_tax_means`).
    """
    if not rules.tax_on or (rules.tax_per_mu_below_wan is None
                            and rules.tax_below_share_of_class_mean is None):
        return None
    if rules.tax_per_mu_below_wan is not None:
        return pd.Series(rules.tax_per_mu_below_wan, index=parcel_table.index, dtype=float)
    if class_means is None:
        class_means = class_tax_means([class_tax_parts(parcel_table)])
    mean = pd.Series(class_means, dtype=float)
    return parcel_table["land_class"].map(mean).astype(float) * rules.tax_below_share_of_class_mean


def class_tax_parts(parcel_table: pd.DataFrame) -> dict[str, tuple[list[float], list[float]]]:
    """Exact sums of tax (万元) and land (亩) of the built parcels, by land class.

    Parts of several partitions add up (concatenate the lists) before
    :func:`class_tax_means`; see :mod:`zonekit.analysis.exact_sums`.
    """
    built = parcel_table.loc[parcel_table["status"].isin(BUILT_STATUSES)]
    return {str(cls): (exact_parts(group["tax_wan"].astype(float)),
                       exact_parts(group["area_mu"].astype(float)))
            for cls, group in built.groupby("land_class", sort=True)}


def class_tax_means(parts: list[dict[str, tuple[list[float], list[float]]]]) -> dict[str, float]:
    """Mean 亩均税收 (Σ tax / Σ 亩, 万元/亩) of each land class from :func:`class_tax_parts`."""
    classes = sorted({cls for part in parts for cls in part})
    means = {}
    for cls in classes:
        tax = exact_total(p[cls][0] for p in parts if cls in p)
        mu = exact_total(p[cls][1] for p in parts if cls in p)
        with np.errstate(divide="ignore", invalid="ignore"):
            means[cls] = float(np.float64(tax) / np.float64(mu))
    return means


def below_text(value: float, limit: float, decimals: int = 2, most: int = 6) -> str:
    """Print ``value`` with enough decimals that it reads below ``limit`` as printed.

    ``limit`` is printed with at most ``decimals`` decimals, so a value of 0.6996 against
    0.7 must not read "0.70 < 0.7": decimals are added (up to ``most``) until the printed
    value is below the printed limit, and when even ``most`` cannot show the gap the value
    is truncated rather than rounded up.

    Examples
    --------
    >>> below_text(0.69962, 0.7)
    '0.6996'
    >>> below_text(0.5, 0.7)
    '0.50'
    """
    if not np.isfinite(value) or value >= limit:
        return f"{value:.{decimals}f}"
    for d in range(decimals, most + 1):
        text = f"{value:.{d}f}"
        if float(text) < limit:
            return text
    return f"{np.floor(value * 10**most) / 10**most:.{most}f}"


def _basis(rules: Rules, land_class: object) -> str:
    if rules.tax_per_mu_below_wan is not None:
        return ""
    from zonekit.analysis.land.glossary import CLASS_ZH

    name = CLASS_ZH.get(str(land_class), str(land_class))
    return f"（{name}均值的 {100 * rules.tax_below_share_of_class_mean:g} %）"


def _text(mask: pd.Series, text: pd.Series) -> pd.Series:
    return pd.Series(np.where(mask.fillna(False).to_numpy(dtype=bool), text.astype(str), ""),
                     index=mask.index)
