"""腾笼换鸟: renewal candidates, the smallest set reaching a land-output target, trajectories.

The trajectory model (every assumption is a field of :class:`Scenario`, written into
``summary.json`` and ``trajectory.csv``). Revenue in 亿元, land in km², year ``t``,
base year ``t0`` (the enterprise data year), growth factor ``f(t) = (1 + growth)^(t − t0)``:

* **Existing output** ``R0 · f(t)``: all current revenue grows at the organic rate.
* **New land**: parcels under construction become built land in ``t0 + join_after``
  (they join the denominator: land output is *diluted*) and produce from
  ``t0 + join_after + ramp`` at ``new_land_yi_per_km2`` (base-year terms, default the
  park's current land output), growing like the rest: ``A_new · d_new · f(t)``.
  When the growth is a path of the park's *total* revenue (``new_land_in_growth``: the
  plan's 550.6 → 800 亿元 already counts what new land will produce), revenue follows the
  path, ``R0 · f(t)``, and new land's output is the part of it that new land produces
  (existing land gets the rest): it is not added on top, which would count it twice.
* **Renewal**: a renewed parcel's *gain* = post-renewal output − current output (base-year
  terms), realised from ``t0 + lag`` and growing with ``f(t)``; until then the parcel keeps
  its current output; renewed land stays in the denominator.
* Land output ``= revenue / land``; land = base denominator + new land once joined.

The plan is the set of candidates of smallest total area whose gains lift land output in
``target_year`` to ``target``: a 0/1 knapsack solved exactly as an integer programme
(:func:`solve_min_area`: :func:`scipy.optimize.milp`, HiGHS, areas in m², zero relative
gap, every plan checked in exact arithmetic), never a greedy ranking. The solver's status
is kept: a plan stopped by the time limit is said to be so, with the bound proved
(``summary.json`` → ``scenarios.<name>.solver``, ``renewal.<name>.solver``). When even
every candidate falls short, the result says so and reports the best reachable.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from zonekit.analysis import profile_io as pio
from zonekit.analysis.mujun.min_area import (
    Choice,
    not_optimal_clause,
    solve_min_area,
)

logger = logging.getLogger(__name__)

POST_OUTPUT_METHODS = ("zone_upper_quartile", "target_per_mu")
_KEYS = {"post_output", "quantile", "min_peers", "target_revenue_per_mu_wan", "lag_years",
         "new_land"}


@dataclass(frozen=True)
class RenewalSettings:
    """The ``renewal`` section of the 亩均 profile (see ``profiles/mujun.yaml``)."""

    post_output: str = "zone_upper_quartile"
    quantile: float = 0.75
    min_peers: int = 3
    target_revenue_per_mu_wan: float = 1000.0
    lag_years: int = 3
    new_land_join_after_years: int = 1
    new_land_ramp_years: int = 2
    new_land_output: str | float = "park"


def parse_settings(raw: dict[str, Any], src: str) -> RenewalSettings:
    """Check and convert the ``renewal`` section of a profile."""
    pio.check_keys(raw, _KEYS, src)
    new = pio.section(raw, "new_land", src)
    pio.check_keys(new, {"join_after_years", "ramp_years", "output"}, f"{src}.new_land")
    output = new.get("output", "park")
    if output != "park":
        output = pio.number(output, "output", f"{src}.new_land", minimum=0)
    d = RenewalSettings()
    return RenewalSettings(
        post_output=pio.choice(raw.get("post_output", d.post_output), "post_output", src,
                               POST_OUTPUT_METHODS),
        quantile=pio.number(raw.get("quantile", d.quantile), "quantile", src, 0, 1),
        min_peers=int(pio.number(raw.get("min_peers", d.min_peers), "min_peers", src, 1)),
        target_revenue_per_mu_wan=pio.number(raw.get("target_revenue_per_mu_wan",
                                                     d.target_revenue_per_mu_wan),
                                             "target_revenue_per_mu_wan", src, 0),
        lag_years=int(pio.number(raw.get("lag_years", d.lag_years), "lag_years", src, 0)),
        new_land_join_after_years=int(pio.number(new.get("join_after_years", 1), "join_after_years",
                                                 f"{src}.new_land", 0)),
        new_land_ramp_years=int(pio.number(new.get("ramp_years", 2), "ramp_years",
                                           f"{src}.new_land", 0)),
        new_land_output=output,
    )


def post_renewal_rates(parcel_table: pd.DataFrame, settings: RenewalSettings) -> pd.DataFrame:
    """Land output each parcel would reach after renewal (亿元/km², base-year terms).

    ``zone_upper_quartile``: the ``quantile`` of land output among *producing* parcels
    (in use, with firms and revenue) of the same land class in the same zone; the
    park-wide figure for that class when the zone has fewer than ``min_peers``; NaN when
    the park has fewer too. ``target_per_mu``: ``target_revenue_per_mu_wan`` converted
    to 亿元/km².

    Returns
    -------
    DataFrame indexed like ``parcel_table``: ``post_land_output_yi_per_km2``, ``basis``.
    """
    from zonekit.analysis.land.intensity import M2_PER_MU

    out = pd.DataFrame(index=parcel_table.index)
    if settings.post_output == "target_per_mu":
        rate = settings.target_revenue_per_mu_wan / 1e4 / (M2_PER_MU / 1e6)
        out["post_land_output_yi_per_km2"] = rate
        out["basis"] = f"target 亩均营业收入 {settings.target_revenue_per_mu_wan:g} 万元/亩"
        return out
    producing = ((parcel_table["status"] == "in_use") & (parcel_table["enterprises"] > 0)
                 & (parcel_table["revenue_wan"] > 0) & (parcel_table["area_m2"] > 0))
    peers = parcel_table.loc[producing]
    q = settings.quantile
    values = peers["land_output_yi_per_km2"]
    zone_groups = values.groupby([peers["zone_id"], peers["land_class"]])
    by_zone = pd.DataFrame({"quantile": zone_groups.quantile(q), "size": zone_groups.size()})
    class_groups = values.groupby(peers["land_class"])
    by_park = pd.DataFrame({"value": class_groups.quantile(q), "size": class_groups.size()})
    rates, basis = [], []
    for zone, cls in zip(parcel_table["zone_id"], parcel_table["land_class"], strict=True):
        zkey = (zone, cls)
        if zkey in by_zone.index and by_zone.at[zkey, "size"] >= settings.min_peers:
            rates.append(by_zone.at[zkey, "quantile"])
            basis.append(f"P{q * 100:g} of {int(by_zone.at[zkey, 'size'])} {cls} parcels in {zone}")
        elif cls in by_park.index and by_park.at[cls, "size"] >= settings.min_peers:
            rates.append(by_park.at[cls, "value"])
            basis.append(f"P{q * 100:g} of {int(by_park.at[cls, 'size'])} {cls} parcels in the "
                         f"park (zone has < {settings.min_peers})")
        else:
            rates.append(np.nan)
            basis.append(f"fewer than {settings.min_peers} producing {cls} parcels to compare with")
    out["post_land_output_yi_per_km2"] = np.asarray(rates, dtype=float)
    out["basis"] = basis
    return out


def candidates(parcel_table: pd.DataFrame, flags: pd.DataFrame,
               settings: RenewalSettings) -> pd.DataFrame:
    """Renewal candidates: low-efficiency parcels in the denominator, with their gain.

    Returns
    -------
    DataFrame indexed like the candidate rows of ``parcel_table``, ranked by gain (largest
    first): ``parcel_id``, ``zone_id``, ``land_class``, ``status``, ``area_km2``,
    ``area_mu``, ``current_output_yi``, ``current_land_output_yi_per_km2``,
    ``post_land_output_yi_per_km2``, ``post_output_yi``, ``gain_yi``,
    ``gain_yi_per_km2``, ``basis``, ``reasons``, ``eligible`` (a positive gain can be
    estimated) and ``rank``.
    """
    mask = flags["low_efficiency"].reindex(parcel_table.index).fillna(False).astype(bool) \
        & parcel_table["in_denominator"].astype(bool)
    rows = parcel_table.loc[mask]
    rates = post_renewal_rates(parcel_table, settings).loc[mask]
    out = pd.DataFrame({
        "parcel_id": rows["parcel_id"], "zone_id": rows["zone_id"],
        "land_class": rows["land_class"], "status": rows["status"],
        "area_km2": rows["area_m2"] / 1e6, "area_mu": rows["area_mu"],
        "current_output_yi": rows["revenue_wan"].fillna(0.0) / 1e4,
        "current_land_output_yi_per_km2": rows["land_output_yi_per_km2"],
        "post_land_output_yi_per_km2": rates["post_land_output_yi_per_km2"],
    }, index=rows.index)
    out["post_output_yi"] = out["post_land_output_yi_per_km2"] * out["area_km2"]
    out["gain_yi"] = (out["post_output_yi"] - out["current_output_yi"]).clip(lower=0.0)
    out["gain_yi_per_km2"] = out["gain_yi"] / out["area_km2"]
    out["basis"] = rates["basis"]
    out["reasons"] = flags["reasons"].reindex(rows.index)
    out["eligible"] = out["gain_yi"].fillna(0.0) > 0
    out = out.sort_values(["eligible", "gain_yi", "parcel_id"], ascending=[False, False, True])
    out["rank"] = np.arange(1, len(out) + 1)
    return out


@dataclass(frozen=True)
class Scenario:
    """Assumptions of one trajectory (revenue 亿元, land km², land output 亿元/km²)."""

    name: str
    base_year: int
    target_year: int
    target_yi_per_km2: float
    growth: float
    lag_years: int
    base_revenue_yi: float
    base_land_km2: float
    new_land_km2: float = 0.0  # added to the denominator in new_land_join_year
    new_land_producing_km2: float = 0.0  # producing from new_land_join_year + ramp
    new_land_join_year: int = 0
    new_land_ramp_years: int = 0
    new_land_yi_per_km2: float = 0.0
    new_land_in_growth: bool = False  # growth is a total-revenue path holding new land's output

    def factor(self, year: int | np.ndarray) -> np.ndarray | float:
        """Organic growth factor from the base year."""
        return (1.0 + self.growth) ** (np.asarray(year) - self.base_year)

    def assumptions(self) -> dict[str, Any]:
        """Return the assumptions as a plain dict (for summary.json and trajectory.csv)."""
        d = asdict(self)
        d["growth_pct"] = round(100 * d.pop("growth"), 4)
        d["renewal_produces_from_year"] = self.base_year + self.lag_years
        d["new_land_produces_from_year"] = self.new_land_join_year + self.new_land_ramp_years
        return d


def trajectory(sc: Scenario, renewal_gain_yi: float = 0.0) -> pd.DataFrame:
    """Year-by-year land, revenue and land output from the base year to the target year."""
    years = np.arange(sc.base_year, sc.target_year + 1)
    f = sc.factor(years)
    joined = years >= sc.new_land_join_year
    producing = years >= sc.new_land_join_year + sc.new_land_ramp_years
    renewed = years >= sc.base_year + sc.lag_years
    land = sc.base_land_km2 + sc.new_land_km2 * joined
    path = sc.base_revenue_yi * f
    new = sc.new_land_producing_km2 * sc.new_land_yi_per_km2 * f * producing
    if sc.new_land_in_growth:  # the path holds new land's output: existing land has the rest
        new = np.minimum(new, path)
        existing = path - new
    else:
        existing = path
    ren = renewal_gain_yi * f * renewed
    total = existing + new + ren
    return pd.DataFrame({
        "year": years, "land_km2": land, "existing_revenue_yi": existing,
        "new_land_revenue_yi": new, "renewal_revenue_yi": ren, "revenue_yi": total,
        "land_output_yi_per_km2": np.where(land > 0, total / np.where(land > 0, land, 1), np.nan),
    })


def required_gain(sc: Scenario) -> float:
    """Renewal gain (亿元, base-year terms) needed to reach the target in the target year.

    ≤ 0 when the target is reached without renewal; ``inf`` when it is not and renewed
    land cannot produce by the target year (``base_year + lag_years > target_year``).
    """
    last = trajectory(sc).iloc[-1]
    short = sc.target_yi_per_km2 * last["land_km2"] - last["revenue_yi"]
    if short <= 0:
        return float(short / sc.factor(sc.target_year))
    if sc.base_year + sc.lag_years > sc.target_year:
        return float("inf")
    return float(short / sc.factor(sc.target_year))


@dataclass
class PlanResult:
    """A renewal plan under one scenario."""

    scenario: Scenario
    required_gain_yi: float
    selected: pd.Index
    reaches_target: bool
    land_output_without_plan: float
    land_output_with_plan: float
    revenue_without_plan_yi: float
    revenue_with_plan_yi: float
    area_km2: float
    gain_yi: float
    note: str
    trajectory: pd.DataFrame
    choice: Choice | None = None

    @property
    def optimal(self) -> bool:
        """Whether the plan is proven the smallest (or forced: no renewal, out of reach)."""
        return self.choice is None or self.choice.optimal

    def solver_summary(self) -> dict[str, Any] | None:
        """Return the solver's status, objective, bound and gap (``None``: none was asked)."""
        return None if self.choice is None else self.choice.summary()

    def summary(self) -> dict[str, Any]:
        """Headline figures for ``summary.json``."""
        return {
            "scenario": self.scenario.name, "assumptions": self.scenario.assumptions(),
            "required_renewal_gain_yi": _finite(self.required_gain_yi),
            "plan_parcels": int(len(self.selected)), "plan_area_km2": round(self.area_km2, 4),
            "plan_gain_yi": round(self.gain_yi, 4),
            "land_output_without_plan_yi_per_km2": round(self.land_output_without_plan, 4),
            "revenue_without_plan_yi": round(self.revenue_without_plan_yi, 4),
            "revenue_with_plan_yi": round(self.revenue_with_plan_yi, 4),
            "plan_land_output_yi_per_km2": round(self.land_output_with_plan, 4),
            "plan_reaches_target": bool(self.reaches_target), "note": self.note,
            "plan_optimal": bool(self.optimal), "solver": self.solver_summary(),
        }


def _finite(value: float) -> float | None:
    return round(value, 4) if np.isfinite(value) else None


def make_plan(cands: pd.DataFrame, sc: Scenario) -> PlanResult:
    """Choose the smallest-area renewal set reaching the target under ``sc``."""
    need = required_gain(sc)
    pool = cands.loc[cands["eligible"]]
    without = trajectory(sc)
    reached_alone = need <= 0
    if reached_alone:
        chosen = np.zeros(len(pool), bool)
        choice = Choice(chosen, "not_needed", True, 0.0, 0.0, "target reached without renewal")
        note = (f"the target {sc.target_yi_per_km2:g} is reached in {sc.target_year} without "
                f"renewal under these assumptions (growth {100 * sc.growth:.2f} %/yr)")
    elif not np.isfinite(need):
        chosen = np.zeros(len(pool), bool)
        choice = Choice(chosen, "too_late", True, 0.0, None,
                        "renewed land produces after the target year")
        note = (f"renewed land produces from {sc.base_year + sc.lag_years}, after the target "
                f"year {sc.target_year}: renewal cannot help; shorten the lag or move the year")
    else:
        # the programme in m² (areas as measured): its absolute tolerances are then 1e-6 m²
        choice = solve_min_area(pool["area_km2"].to_numpy() * 1e6, pool["gain_yi"].to_numpy(),
                                need)
        chosen = choice.mask
        if chosen is None:
            chosen = np.ones(len(pool), bool)
            note = (f"the target cannot be reached with the {len(pool)} candidates available: "
                    f"their gains total {pool['gain_yi'].sum():.2f} 亿元, {need:.2f} 亿元 needed "
                    f"(base-year terms); the plan lists them all and the best reachable value")
        elif choice.optimal:
            note = (f"{int(chosen.sum())} parcels, the smallest area whose renewal reaches "
                    f"{sc.target_yi_per_km2:g} in {sc.target_year} (exact integer programme)")
        else:
            note = (f"{int(chosen.sum())} parcels whose renewal reaches "
                    f"{sc.target_yi_per_km2:g} in {sc.target_year}, NOT proven the smallest "
                    f"area: {not_optimal_clause(choice)}")
    selected = pool.index[chosen]
    gain = float(pool.loc[selected, "gain_yi"].sum())
    with_plan = trajectory(sc, gain)
    final = float(with_plan["land_output_yi_per_km2"].iloc[-1])
    (logger.info if choice.optimal else logger.warning)("scenario %s: %s", sc.name, note)
    return PlanResult(sc, need, selected, final >= sc.target_yi_per_km2 - 1e-9,
                      float(without["land_output_yi_per_km2"].iloc[-1]), final,
                      float(without["revenue_yi"].iloc[-1]),
                      float(with_plan["revenue_yi"].iloc[-1]),
                      float(pool.loc[selected, "area_km2"].sum()), gain, note,
                      _both(sc, without, with_plan), choice)


def _both(sc: Scenario, without: pd.DataFrame, with_plan: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "scenario": sc.name, "year": without["year"], "land_km2": without["land_km2"],
        "revenue_without_plan_yi": without["revenue_yi"],
        "land_output_without_plan_yi_per_km2": without["land_output_yi_per_km2"],
        "renewal_revenue_yi": with_plan["renewal_revenue_yi"],
        "revenue_with_plan_yi": with_plan["revenue_yi"],
        "land_output_with_plan_yi_per_km2": with_plan["land_output_yi_per_km2"],
        "target_yi_per_km2": sc.target_yi_per_km2,
    })
    for key, value in sc.assumptions().items():
        if key not in ("name", "target_yi_per_km2"):
            out[key] = value
    return out


def ranked_table(cands: pd.DataFrame, plans: dict[str, PlanResult]) -> pd.DataFrame:
    """Candidates ranked by gain with cumulative area/gain, and whether each plan picks them.

    ``cum_land_output_<scenario>_yi_per_km2`` is the target-year land output if the
    candidates down to that row were all renewed (in rank order), under that scenario;
    ``priority_<scenario>`` numbers that scenario's plan 1, 2, … in rank order (empty for
    candidates the plan leaves out), the order to work through it.
    """
    out = cands.copy()
    gain = out["gain_yi"].where(out["eligible"], 0.0)
    out["cum_area_km2"] = out["area_km2"].cumsum()
    out["cum_gain_yi"] = gain.cumsum()
    for name, plan in plans.items():
        sc = plan.scenario
        last = trajectory(sc).iloc[-1]
        realised = sc.base_year + sc.lag_years <= sc.target_year
        added = out["cum_gain_yi"] * sc.factor(sc.target_year) if realised else 0.0
        rev = last["revenue_yi"] + added
        out[f"cum_land_output_{name}_yi_per_km2"] = rev / last["land_km2"]
        out[f"in_plan_{name}"] = out.index.isin(plan.selected)
        # order of work within the plan: largest gain first (rank counts every candidate)
        taken = out[f"in_plan_{name}"].to_numpy()
        order = pd.array([pd.NA] * len(out), dtype="Int64")
        order[taken] = np.arange(1, int(taken.sum()) + 1)
        out[f"priority_{name}"] = order
    return out
