"""亩均效益综合评价 ("亩均论英雄"): scoring enterprises and parcels, classes A–D.

The method follows the county schemes under Zhejiang's 2018 provincial guidance and
Jiangsu's 苏政发〔2017〕143号: each indicator scores ``weight × value / benchmark``
(capped at ``cap × weight``) or ``weight × (value − min) / (max − min)``; the total is the
sum; graded units are ranked and classed by rank share (A top 20 %, B to 60 %, C to 95 %,
D the rest) or by score thresholds. All of it comes from a YAML profile
(``profiles/mujun.yaml``; the shipped defaults name the scheme they follow and how the
indicators were adapted to the data zonekit holds).

Enterprises hold land through their parcel (a share of it when firms share one, see
:func:`zonekit.analysis.land.intensity.enterprise_land`). Firms with no parcel, outside the
profile's land classes, too new or too small are *not graded*: they get a status and a
note, never a class.

Parcels are graded as units: their indicators are computed from the *aggregate* of the
firms on them (Σ tax / parcel 亩, Σ revenue / Σ energy, …), with benchmarks taken from the
graded parcels. This scores the land itself, counts every firm once, and lets a parcel
shared by a strong and a weak firm be judged by what the parcel yields in total.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from zonekit.analysis.mujun.benchmarks import (
    Ranking,
    benchmark_of,
    benchmark_parts,
    benchmarks,
    combine_benchmark_parts,
    indicator_values,
)
from zonekit.analysis.mujun.profile import (
    DEFAULT_PROFILE_PATH,
    INDICATORS,
    Evaluation,
    IndicatorSpec,
    MujunProfile,
    load_mujun_profile,
    parse_evaluation,
)

logger = logging.getLogger(__name__)

GRADED = "graded"
NOT_GRADED = "not graded"
#: Status in the main ranking of units graded in the ranking of their land class.
SEPARATELY = "graded_separately"
#: Columns :func:`evaluate_separately` adds: the unit's own ranking and its grade there.
SEPARATE_COLUMNS = ("separate_ranking", "separate_status", "separate_class", "separate_rank",
                    "separate_score")

__all__ = ["DEFAULT_PROFILE_PATH", "INDICATORS", "Evaluation", "IndicatorSpec", "MujunProfile",
           "Ranking", "assign_classes", "benchmark_of", "benchmark_parts", "benchmarks",
           "combine_benchmark_parts", "enterprise_units", "evaluate_enterprises",
           "evaluate_parcels", "evaluate_separately", "indicator_values", "load_mujun_profile",
           "parcel_units", "parse_evaluation", "score"]


def score(table: pd.DataFrame, graded: pd.Series, ev: Evaluation,
          bench: dict[str, dict[str, Any]] | None = None,
          ranking: Ranking | None = None) -> tuple[pd.DataFrame, dict]:
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
    bench
        Benchmarks to score against (:func:`benchmarks`); default: those of these rows.
    ranking
        Totals to rank against (:class:`Ranking`); default: those of these rows. A
        partition of a larger run passes the run's benchmarks and ranking.

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
    if bench is None:
        bench = benchmarks(benchmark_parts(table, graded, ev, values), ev)
    weights = pd.DataFrame(index=table.index)
    for spec in ev.indicators:
        v = values[spec.name].where(graded)
        if ev.scoring == "minmax":
            lo, hi = bench[spec.name]["min"], bench[spec.name]["max"]
            scaled = (v - lo) / (hi - lo) if hi > lo else v * 0 + 1.0
        else:
            b = bench[spec.name]["benchmark"]
            if not np.isfinite(b) or b <= 0:
                scaled = v * np.nan
            else:
                scaled = v / b
                if ev.cap is not None:
                    scaled = scaled.clip(upper=ev.cap)
        out[f"score_{spec.name}"] = (spec.weight * scaled).where(graded)
        weights[spec.name] = np.where(scaled.notna(), spec.weight, 0.0)
    score_cols = [f"score_{n}" for n in names]
    raw = out[score_cols].sum(axis=1, min_count=1).fillna(0.0)
    if ev.missing == "reweight":
        avail = weights.sum(axis=1)
        total_w = sum(s.weight for s in ev.indicators)
        raw = raw * np.where(avail > 0, total_w / avail.where(avail > 0, 1.0), 0.0)
    out["total_score"] = raw.where(graded)
    ranking = Ranking.of(out["total_score"]) if ranking is None else ranking
    out["rank"] = ranking.rank(out["total_score"])
    out["class"] = assign_classes(out["total_score"], ev, ranking)
    return out, bench


def assign_classes(total: pd.Series, ev: Evaluation, ranking: Ranking | None = None) -> pd.Series:
    """Classes for scored rows (NaN elsewhere): by rank share or by score thresholds.

    Ties share a rank (the best of the tied positions), hence a class. Rank shares are
    taken within ``ranking`` (default: ``total`` itself).
    """
    result = pd.Series(np.nan, index=total.index, dtype=object)
    ok = total.notna()
    if not ok.any():
        return result
    if ev.class_method == "rank_share":
        ranking = Ranking.of(total) if ranking is None else ranking
        share = ranking.rank(total[ok]).astype(float) / len(ranking)
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

    Statuses: ``graded``, ``no_parcel``, ``graded_separately`` (land class of
    ``ev.scope_separately``: see :func:`evaluate_separately`), ``out_of_scope``, ``too_new``,
    ``too_small``; the first that applies wins.
    """
    rev = pd.to_numeric(enterprises["revenue_wan"], errors="coerce").astype(float).to_numpy()
    founded = (pd.to_numeric(enterprises["founded_year"], errors="coerce").astype(float)
               if "founded_year" in enterprises else pd.Series(np.nan, index=enterprises.index))
    age = year - founded
    founded = founded.to_numpy()
    cls = land["land_class"].to_numpy(dtype=object)
    mu = land["land_mu"].to_numpy(dtype=float)
    separately = land["land_class"].isin(ev.scope_separately)
    rules = [  # (status, rows it applies to, note of row k); texts built for hits only
        ("no_parcel", ~land["has_parcel"], lambda k: "no matching parcel: no land to divide by"),
        (SEPARATELY, land["has_parcel"] & separately,
         lambda k: f"{cls[k]} land: graded in a ranking of its own, not with industrial firms"),
        ("out_of_scope", land["has_parcel"] & ~ev.in_scope(land["land_class"]),
         lambda k: f"land class {cls[k]} is not graded"),
        ("too_new", age < ev.min_age_years,
         lambda k: f"founded {int(founded[k])}, < {ev.min_age_years:g} years before {year}"),
        ("too_small", rev < ev.min_revenue_wan,
         lambda k: f"revenue {rev[k]:,.0f} 万元 < {ev.min_revenue_wan:,.0f} 万元"),
        ("too_small", land["land_mu"] < ev.min_land_mu,
         lambda k: f"land {mu[k]:.1f} 亩 < {ev.min_land_mu:g} 亩"),
    ]
    status = np.full(len(enterprises), GRADED, dtype=object)
    note = np.full(len(enterprises), "", dtype=object)
    for name, mask, text in rules:
        hit = pd.Series(mask, index=enterprises.index).fillna(False).astype(bool).to_numpy()
        pos = np.flatnonzero(hit & (status == GRADED))
        status[pos] = name
        note[pos] = [text(k) for k in pos]
    return (pd.Series(status, index=enterprises.index, dtype=object),
            pd.Series(note, index=enterprises.index, dtype=object))


def enterprise_units(enterprises: pd.DataFrame, parcels: pd.DataFrame, ev: Evaluation,
                     year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Everything about the firms before scoring: land, eligibility and their sums.

    Returns
    -------
    The identity, land and status columns of :func:`evaluate_enterprises`, the table of
    sums to score (:func:`score`) and the boolean ``graded`` mask, all indexed like
    ``enterprises``.
    """
    from zonekit.analysis.land.intensity import enterprise_land

    land = enterprise_land(enterprises, parcels, ev.land_share)
    status, note = enterprise_status(enterprises, land, ev, year)
    cols = [c for c in ("revenue_wan", "tax_wan", "employees", "energy_tce", "rnd_wan", "patents")
            if c in enterprises]
    sums = enterprises[cols].copy()
    sums["land_mu"] = land["land_mu"]
    base = pd.DataFrame({"ent_id": enterprises["ent_id"], "parcel_id": enterprises["parcel_id"],
                         "zone_id": land["zone_id"], "land_class": land["land_class"],
                         "land_share": land["land_share"], "land_mu": land["land_mu"],
                         "grade_status": status, "grade_note": note}, index=enterprises.index)
    return base, sums, status == GRADED


def graded_result(base: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Join :func:`score` output to the units' own columns; ungraded units get a class too."""
    out = base.join(scored.drop(columns=[c for c in scored.columns if c in base.columns]))
    out["class"] = out["class"].fillna(NOT_GRADED)
    return out


def evaluate_enterprises(enterprises: pd.DataFrame, parcels: pd.DataFrame, ev: Evaluation,
                         year: int) -> tuple[pd.DataFrame, dict]:
    """Grade enterprises: land, eligibility, indicator values and scores, rank, class.

    Returns
    -------
    A DataFrame indexed like ``enterprises`` (``ent_id``, ``parcel_id``, ``zone_id``,
    ``land_mu``, ``grade_status``, ``grade_note``, the values and scores of
    :func:`score`, ``class`` or ``"not graded"``) and the benchmarks.
    """
    base, sums, graded = enterprise_units(enterprises, parcels, ev, year)
    scored, bench = score(sums, graded, ev)
    return graded_result(base, scored), bench


def parcel_units(parcel_table: pd.DataFrame, enterprise_status: pd.DataFrame,
                 ev: Evaluation) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Everything about the parcels before scoring: eligibility and the sums to score.

    ``enterprise_status`` needs the firms' ``parcel_id`` and ``grade_status`` (from
    :func:`enterprise_units` or :func:`evaluate_enterprises`). Returns the ``grade_status``
    and ``grade_note`` columns, the sums and the ``graded`` mask, indexed like
    ``parcel_table``.
    """
    firms = enterprise_status.dropna(subset=["parcel_id"])
    all_new = (firms["grade_status"] == "too_new").groupby(firms["parcel_id"]).all()
    new = parcel_table["parcel_id"].map(all_new).fillna(False).astype(bool)
    rev = parcel_table["revenue_wan"].astype(float)
    cls = parcel_table["land_class"]
    rules = [
        ("not_built", parcel_table["status"] == "under_construction", "under construction"),
        ("no_enterprises", parcel_table["enterprises"] == 0, "no enterprise on the parcel"),
        (SEPARATELY, cls.isin(ev.scope_separately),
         "graded in the ranking of its land class, not with industrial land"),
        ("out_of_scope", ~ev.in_scope(cls), "land class not graded"),
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
    base = pd.DataFrame({"grade_status": status, "grade_note": note})
    return base, sums, status == GRADED


def evaluate_parcels(parcel_table: pd.DataFrame, enterprise_result: pd.DataFrame,
                     ev: Evaluation) -> tuple[pd.DataFrame, dict]:
    """Grade parcels from the aggregate of their firms (see the module docstring).

    Parameters
    ----------
    parcel_table
        :func:`zonekit.analysis.land.intensity.parcel_intensity` output (sums per parcel).
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
    base, sums, graded = parcel_units(parcel_table, enterprise_result, ev)
    scored, bench = score(sums, graded, ev)
    scored = scored.drop(columns=[c for c in scored.columns if c in parcel_table.columns])
    return graded_result(base, scored), bench


def evaluate_separately(enterprises: pd.DataFrame, parcels: pd.DataFrame,
                        parcel_table: pd.DataFrame, ev: Evaluation,
                        year: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """Grade each land class of ``ev.scope_separately`` in a ranking of its own.

    A research institute or an office is not ranked against factories (the provincial
    schemes grade industrial firms; service firms have their own scheme): each such class
    gets its own eligibility, benchmarks, ranks and A–D classes, from the same indicators.

    Returns
    -------
    Enterprise and parcel tables (indexed like ``enterprises`` and ``parcel_table``) with
    :data:`SEPARATE_COLUMNS`: ``separate_ranking`` (the land class ranked, NaN for units of
    the main ranking or of none), ``separate_status`` (as ``grade_status``),
    ``separate_class``, ``separate_rank`` and ``separate_score``; and the benchmarks
    ``{land class: {"enterprises": …, "parcels": …}}``.
    """
    ent_out = pd.DataFrame(np.nan, index=enterprises.index, columns=SEPARATE_COLUMNS, dtype=object)
    par_out = pd.DataFrame(np.nan, index=parcel_table.index, columns=SEPARATE_COLUMNS,
                           dtype=object)
    benches: dict[str, dict] = {}
    for cls in ev.scope_separately:
        own = replace(ev, scope_graded=(cls,), scope_separately=())
        ents, ent_bench = evaluate_enterprises(enterprises, parcels, own, year)
        pscore, parcel_bench = evaluate_parcels(parcel_table, ents, own)
        _fill(ent_out, ents, ents["land_class"] == cls, cls)
        _fill(par_out, pscore, parcel_table["land_class"] == cls, cls)
        benches[cls] = {"enterprises": ent_bench, "parcels": parcel_bench}
    return ent_out, par_out, benches


def _fill(out: pd.DataFrame, graded: pd.DataFrame, rows: pd.Series, ranking: str) -> None:
    rows = rows.fillna(False).astype(bool)
    out.loc[rows, "separate_ranking"] = ranking
    for col, src in (("separate_status", "grade_status"), ("separate_class", "class"),
                     ("separate_rank", "rank"), ("separate_score", "total_score")):
        out.loc[rows, col] = graded.loc[rows, src]
