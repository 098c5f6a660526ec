"""亩均效益综合评价 ("亩均论英雄"): scoring enterprises and parcels, classes A–D.

The method follows the county schemes under Zhejiang's 2018 provincial guidance and
Jiangsu's 苏政发〔2017〕143号: each indicator scores ``weight × value / benchmark``
(capped at ``cap × weight``) or ``weight × (value − min) / (max − min)``; the total is the
sum; graded units are ranked and classed by rank share (A top 20 %, B to 60 %, C to 95 %,
D the rest) or by score thresholds. All of it comes from a YAML profile
(``profiles/mujun.yaml``; the shipped defaults name the scheme they follow and how the
indicators were adapted to the data zonekit holds).

Enterprises hold land through their parcel (a share of it when firms share one, see
:func:`zonekit.analysis.intensity.enterprise_land`). Firms with no parcel, outside the
profile's land classes, too new or too small are *not graded*: they get a status and a
note, never a class.

Parcels are graded as units: their indicators are computed from the *aggregate* of the
firms on them (Σ tax / parcel 亩, Σ revenue / Σ energy, …), with benchmarks taken from the
graded parcels. This scores the land itself, counts every firm once, and lets a parcel
shared by a strong and a weak firm be judged by what the parcel yields in total.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from zonekit.analysis.mujun_profile import (
    DEFAULT_PROFILE_PATH,
    INDICATORS,
    Evaluation,
    IndicatorSpec,
    MujunProfile,
    load_profile,
    parse_evaluation,
)

logger = logging.getLogger(__name__)

GRADED = "graded"
NOT_GRADED = "not graded"

__all__ = ["DEFAULT_PROFILE_PATH", "INDICATORS", "Evaluation", "IndicatorSpec", "MujunProfile",
           "assign_classes", "evaluate_enterprises", "evaluate_parcels", "indicator_values",
           "load_profile", "parse_evaluation", "score"]


def indicator_values(table: pd.DataFrame, names: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Compute indicator values from a table of sums (NaN where a denominator is ≤ 0 or missing).

    Examples
    --------
    >>> t = pd.DataFrame({"tax_wan": [150.0], "land_mu": [10.0]})
    >>> float(indicator_values(t, ["tax_per_mu_wan"]).iloc[0, 0])
    15.0
    """
    out = pd.DataFrame(index=table.index)
    for name in names:
        num, den, scale, _ = INDICATORS[name]
        if num not in table or den not in table:
            out[name] = np.nan
            continue
        n = pd.to_numeric(table[num], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        d = pd.to_numeric(table[den], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(d > 0, scale * n / d, np.nan)
    return out


def benchmark_of(spec: IndicatorSpec, table: pd.DataFrame, values: pd.Series) -> float:
    """Return the benchmark of one indicator over the graded rows of ``table``/``values``."""
    if not isinstance(spec.benchmark, str):
        return float(spec.benchmark) * spec.multiple
    ok = values.notna()
    if not ok.any():
        return float("nan")
    if spec.benchmark == "aggregate":
        num, den, scale, _ = INDICATORS[spec.name]
        n = pd.to_numeric(table.loc[ok, num], errors="coerce").astype(float).sum()
        d = pd.to_numeric(table.loc[ok, den], errors="coerce").astype(float).sum()
        base = scale * n / d if d > 0 else float("nan")
    elif spec.benchmark == "mean":
        base = float(values[ok].mean())
    else:
        base = float(values[ok].median())
    return base * spec.multiple


def score(table: pd.DataFrame, graded: pd.Series, ev: Evaluation) -> tuple[pd.DataFrame, dict]:
    """Score and class the rows of ``table`` where ``graded`` is True.

    Parameters
    ----------
    table
        Sums per unit (firm or parcel): the numerator/denominator columns of
        :data:`INDICATORS` (``tax_wan``, ``land_mu``, ``energy_tce``, …).
    graded
        Boolean Series indexed like ``table``: which rows are scored.
    ev
        The evaluation settings.

    Returns
    -------
    A DataFrame indexed like ``table`` with each indicator's value, ``score_<indicator>``,
    ``total_score``, ``rank`` (1 = best) and ``class`` (NaN for rows not graded), and a
    dict of benchmarks ``{indicator: {"benchmark": …, "weight": …}}`` (for ``minmax``:
    ``min`` and ``max``).
    """
    names = [s.name for s in ev.indicators]
    values = indicator_values(table, names)
    out = values.copy()
    graded = graded.reindex(table.index).fillna(False).astype(bool)
    bench: dict[str, dict[str, float | str]] = {}
    weights = pd.DataFrame(index=table.index)
    for spec in ev.indicators:
        v = values[spec.name].where(graded)
        if ev.scoring == "minmax":
            lo, hi = v.min(), v.max()
            scaled = (v - lo) / (hi - lo) if hi > lo else v * 0 + 1.0
            bench[spec.name] = {"weight": spec.weight, "min": lo, "max": hi}
        else:
            b = benchmark_of(spec, table.loc[graded], v[graded])
            if not np.isfinite(b) or b <= 0:
                logger.warning("indicator %s: no benchmark (no graded unit reports it); not scored",
                               spec.name)
                scaled = v * np.nan
            else:
                scaled = v / b
                if ev.cap is not None:
                    scaled = scaled.clip(upper=ev.cap)
            bench[spec.name] = {"weight": spec.weight, "benchmark": b,
                                "method": (spec.benchmark if isinstance(spec.benchmark, str)
                                           else "given"),
                                "multiple": spec.multiple}
        out[f"score_{spec.name}"] = (spec.weight * scaled).where(graded)
        weights[spec.name] = np.where(scaled.notna(), spec.weight, 0.0)
    score_cols = [f"score_{n}" for n in names]
    raw = out[score_cols].sum(axis=1, min_count=1).fillna(0.0)
    if ev.missing == "reweight":
        avail = weights.sum(axis=1)
        total_w = sum(s.weight for s in ev.indicators)
        raw = raw * np.where(avail > 0, total_w / avail.where(avail > 0, 1.0), 0.0)
    out["total_score"] = raw.where(graded)
    out["rank"] = out["total_score"].rank(ascending=False, method="min").astype("Int64")
    out["class"] = assign_classes(out["total_score"], ev)
    return out, bench


def assign_classes(total: pd.Series, ev: Evaluation) -> pd.Series:
    """Classes for scored rows (NaN elsewhere): by rank share or by score thresholds.

    Ties share a rank (the best of the tied positions), hence a class.
    """
    result = pd.Series(np.nan, index=total.index, dtype=object)
    ok = total.notna()
    if not ok.any():
        return result
    if ev.class_method == "rank_share":
        share = total[ok].rank(ascending=False, method="min") / ok.sum()
        cls = pd.Series(ev.class_shares[-1][0], index=share.index, dtype=object)
        for name, cum in reversed(ev.class_shares):
            cls[share <= cum + 1e-9] = name
    else:
        cls = pd.Series(ev.class_thresholds[-1][0], index=total[ok].index, dtype=object)
        for name, minimum in reversed(ev.class_thresholds[:-1]):
            cls[total[ok] >= minimum] = name
    result[ok] = cls
    return result


def enterprise_status(enterprises: pd.DataFrame, land: pd.DataFrame, ev: Evaluation,
                      year: int) -> tuple[pd.Series, pd.Series]:
    """Say why each firm is graded or not: a status and a note in words.

    Statuses: ``graded``, ``no_parcel``, ``out_of_scope``, ``too_new``, ``too_small``; the
    first that applies wins.
    """
    rev = pd.to_numeric(enterprises["revenue_wan"], errors="coerce").astype(float)
    founded = (pd.to_numeric(enterprises["founded_year"], errors="coerce").astype(float)
               if "founded_year" in enterprises else pd.Series(np.nan, index=rev.index))
    age = year - founded
    scope = ev.scope_land_classes
    rules = [
        ("no_parcel", ~land["has_parcel"], lambda i: "no matching parcel: no land to divide by"),
        ("out_of_scope", land["has_parcel"] & (~land["land_class"].isin(scope) if scope else False),
         lambda i: f"land class {land.at[i, 'land_class']} not in {', '.join(scope or ())}"),
        ("too_new", age < ev.min_age_years,
         lambda i: f"founded {int(founded[i])}, < {ev.min_age_years:g} years before {year}"),
        ("too_small", rev < ev.min_revenue_wan,
         lambda i: f"revenue {rev[i]:,.0f} 万元 < {ev.min_revenue_wan:,.0f} 万元"),
        ("too_small", land["land_mu"] < ev.min_land_mu,
         lambda i: f"land {land.at[i, 'land_mu']:.1f} 亩 < {ev.min_land_mu:g} 亩"),
    ]
    status = pd.Series(GRADED, index=enterprises.index, dtype=object)
    note = pd.Series("", index=enterprises.index, dtype=object)
    for name, mask, text in rules:
        hit = pd.Series(mask, index=enterprises.index).fillna(False).astype(bool)
        hit &= status == GRADED
        for i in hit[hit].index:
            status[i], note[i] = name, text(i)
    return status, note


def evaluate_enterprises(enterprises: pd.DataFrame, parcels: pd.DataFrame, ev: Evaluation,
                         year: int) -> tuple[pd.DataFrame, dict]:
    """Grade enterprises: land, eligibility, indicator values and scores, rank, class.

    Returns
    -------
    A DataFrame indexed like ``enterprises`` (``ent_id``, ``parcel_id``, ``zone_id``,
    ``land_mu``, ``grade_status``, ``grade_note``, the values and scores of
    :func:`score`, ``class`` or ``"not graded"``) and the benchmarks.
    """
    from zonekit.analysis.intensity import enterprise_land

    land = enterprise_land(enterprises, parcels, ev.land_share)
    status, note = enterprise_status(enterprises, land, ev, year)
    cols = [c for c in ("revenue_wan", "tax_wan", "employees", "energy_tce", "rnd_wan", "patents")
            if c in enterprises]
    sums = enterprises[cols].copy()
    sums["land_mu"] = land["land_mu"]
    scored, bench = score(sums, status == GRADED, ev)
    out = pd.DataFrame({"ent_id": enterprises["ent_id"], "parcel_id": enterprises["parcel_id"],
                        "zone_id": land["zone_id"], "land_class": land["land_class"],
                        "land_share": land["land_share"], "land_mu": land["land_mu"],
                        "grade_status": status, "grade_note": note}, index=enterprises.index)
    out = out.join(scored)
    out["class"] = out["class"].fillna(NOT_GRADED)
    return out, bench


def evaluate_parcels(parcel_table: pd.DataFrame, enterprise_result: pd.DataFrame,
                     ev: Evaluation) -> tuple[pd.DataFrame, dict]:
    """Grade parcels from the aggregate of their firms (see the module docstring).

    Parameters
    ----------
    parcel_table
        :func:`zonekit.analysis.intensity.parcel_intensity` output (sums per parcel).
    enterprise_result
        :func:`evaluate_enterprises` output, for the firms' eligibility.
    ev
        The evaluation settings.

    Returns
    -------
    A DataFrame indexed like ``parcel_table`` with ``grade_status`` (``graded``,
    ``not_built``, ``no_enterprises``, ``out_of_scope``, ``too_new``, ``too_small``),
    ``grade_note``, values and ``score_*`` columns, ``total_score``, ``rank`` and
    ``class``; and the parcel benchmarks.
    """
    firms = enterprise_result.dropna(subset=["parcel_id"])
    all_new = (firms["grade_status"] == "too_new").groupby(firms["parcel_id"]).all()
    new = parcel_table["parcel_id"].map(all_new).fillna(False).astype(bool)
    scope = ev.scope_land_classes
    rev = parcel_table["revenue_wan"].astype(float)
    rules = [
        ("not_built", parcel_table["status"] == "under_construction", "under construction"),
        ("no_enterprises", parcel_table["enterprises"] == 0, "no enterprise on the parcel"),
        ("out_of_scope", ~parcel_table["land_class"].isin(scope) if scope else
         pd.Series(False, index=parcel_table.index), "land class not in the evaluated classes"),
        ("too_new", new, "every firm on the parcel is too new to grade"),
        ("too_small", rev < ev.min_revenue_wan, f"revenue < {ev.min_revenue_wan:,.0f} 万元"),
        ("too_small", parcel_table["area_mu"] < ev.min_land_mu, f"land < {ev.min_land_mu:g} 亩"),
    ]
    status = pd.Series(GRADED, index=parcel_table.index, dtype=object)
    note = pd.Series("", index=parcel_table.index, dtype=object)
    for name, mask, text in rules:
        hit = mask.fillna(False).astype(bool) & (status == GRADED)
        status[hit], note[hit] = name, text
    sums = parcel_table.assign(land_mu=parcel_table["area_mu"])
    scored, bench = score(sums, status == GRADED, ev)
    out = pd.DataFrame({"grade_status": status, "grade_note": note}).join(
        scored.drop(columns=[c for c in scored.columns if c in parcel_table.columns]))
    out["class"] = out["class"].fillna(NOT_GRADED)
    return out, bench
