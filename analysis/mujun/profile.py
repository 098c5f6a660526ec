"""The 亩均 profile: indicators known to zonekit, the evaluation settings, loading.

``profiles/mujun.yaml`` holds the shipped defaults (they name the scheme they follow); a
user's file given with ``--profile`` is merged over it key by key
(:func:`zonekit.analysis.profile_io.load_merged`). Everything is checked here, before any
data is read: unknown keys or indicator names, wrong types and unordered class limits are
:class:`zonekit.errors.ProfileError` naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from zonekit.analysis import profile_io as pio
from zonekit.errors import ProfileError

DEFAULT_PROFILE_PATH = pio.PROFILE_DIR / "mujun.yaml"

#: Known indicators: name → (numerator column, denominator column, scale, meaning).
INDICATORS: dict[str, tuple[str, str, float, str]] = {
    "tax_per_mu_wan": ("tax_wan", "land_mu", 1.0, "亩均税收, 万元/亩"),
    "revenue_per_mu_wan": ("revenue_wan", "land_mu", 1.0,
                           "亩均营业收入, 万元/亩 (stands in for 亩均增加值)"),
    "revenue_per_tce_wan": ("revenue_wan", "energy_tce", 1.0,
                            "营业收入/综合能耗, 万元/tce (stands in for 单位能耗增加值)"),
    "rnd_intensity_pct": ("rnd_wan", "revenue_wan", 100.0, "R&D 费用占营业收入比重, %"),
    "revenue_per_employee_wan": ("revenue_wan", "employees", 1.0,
                                 "人均营业收入, 万元/人 (stands in for 全员劳动生产率)"),
    "tax_per_employee_wan": ("tax_wan", "employees", 1.0, "人均税收, 万元/人"),
    "patents_per_100_employees": ("patents", "employees", 100.0, "每百名从业人员发明专利, 件"),
}
_EVAL_KEYS = {"land_share", "eligibility", "scope", "scoring", "cap", "missing",
              "indicators", "classes"}
_TOP_KEYS = {"scheme", "evaluation", "low_efficiency", "renewal"}


@dataclass(frozen=True)
class IndicatorSpec:
    """One scored indicator: its weight (points) and how its benchmark is set."""

    name: str
    weight: float
    benchmark: str | float = "aggregate"  # aggregate, mean, median or a given value
    multiple: float = 1.0


@dataclass(frozen=True)
class Evaluation:
    """The ``evaluation`` section of a 亩均 profile (see ``profiles/mujun.yaml``)."""

    indicators: tuple[IndicatorSpec, ...]
    land_share: str = "employees"
    min_revenue_wan: float = 500.0
    min_land_mu: float = 3.0
    min_age_years: float = 2.0
    #: Land classes of the main ranking (None: every class not graded separately).
    scope_graded: tuple[str, ...] | None = None
    #: Land classes graded each in a ranking of its own (own benchmarks, own classes).
    scope_separately: tuple[str, ...] = ()
    scoring: str = "benchmark"
    cap: float | None = 2.0
    missing: str = "reweight"
    class_method: str = "rank_share"
    class_shares: tuple[tuple[str, float], ...] = (("A", 0.2), ("B", 0.6), ("C", 0.95), ("D", 1.0))
    class_thresholds: tuple[tuple[str, float], ...] = (("A", 120), ("B", 90), ("C", 60), ("D", 0))

    def in_scope(self, land_class: pd.Series) -> pd.Series:
        """Whether each land class belongs to the main ranking (boolean Series)."""
        if self.scope_graded is None:
            return ~land_class.isin(self.scope_separately)
        return land_class.isin(self.scope_graded)

    @property
    def classes(self) -> tuple[str, ...]:
        """Class names, best first."""
        pairs = self.class_shares if self.class_method == "rank_share" else self.class_thresholds
        return tuple(name for name, _ in pairs)


@dataclass(frozen=True)
class MujunProfile:
    """A whole profile: the scheme, the evaluation, low-efficiency rules, renewal settings."""

    scheme: str
    source: str
    evaluation: Evaluation
    low_efficiency: Any  # zonekit.analysis.mujun.low_efficiency.Rules
    renewal: Any  # zonekit.analysis.mujun.renewal.RenewalSettings


def load_mujun_profile(path: str | Path | None = None) -> MujunProfile:
    """Read the shipped 亩均 profile, with the user's file ``path`` merged over it.

    Raises
    ------
    ProfileError
        Malformed YAML, unknown keys or indicator names, values of the wrong type; the
        message names the file and the key.
    """
    from zonekit.analysis.mujun.low_efficiency import parse_rules
    from zonekit.analysis.mujun.renewal import parse_settings

    data, src = pio.load_merged(DEFAULT_PROFILE_PATH, path)
    pio.check_keys(data, _TOP_KEYS, src)
    ev = parse_evaluation(pio.section(data, "evaluation", src), f"{src}, evaluation")
    rules = parse_rules(pio.section(data, "low_efficiency", src), f"{src}, low_efficiency")
    if rules.scope == "graded":
        rules = replace(rules, only_classes=main_classes(ev))
    return MujunProfile(
        scheme=str(data.get("scheme", "")).strip(), source=src, evaluation=ev,
        low_efficiency=rules,
        renewal=parse_settings(pio.section(data, "renewal", src), f"{src}, renewal"),
    )


def main_classes(ev: Evaluation) -> tuple[str, ...]:
    """Land classes of the main ranking (``scope.graded``, or all not graded separately)."""
    from zonekit.zones.landuse import CLASSES

    if ev.scope_graded is not None:
        return ev.scope_graded
    return tuple(c for c in CLASSES if c not in ev.scope_separately)


def parse_evaluation(raw: dict[str, Any], src: str) -> Evaluation:
    """Check and convert the ``evaluation`` section of a profile."""
    if "scope_land_classes" in raw:
        raise ProfileError(f"{src}, key 'scope_land_classes' was replaced by "
                           f"'scope: {{graded: [...], separately: [...]}}'")
    pio.check_keys(raw, _EVAL_KEYS, src)
    elig = pio.section(raw, "eligibility", src)
    pio.check_keys(elig, {"min_revenue_wan", "min_land_mu", "min_age_years"}, f"{src}, eligibility")
    specs = []
    ind = pio.section(raw, "indicators", src)
    if not ind:
        raise ProfileError(f"{src}, key 'indicators': at least one indicator is needed")
    for name, conf in ind.items():
        key = f"{src}, indicators.{name}"
        if name not in INDICATORS:
            raise ProfileError(f"{key}: unknown indicator {name!r}; expected one of "
                               f"{', '.join(INDICATORS)}")
        if not isinstance(conf, dict):
            raise ProfileError(f"{key}: expected a mapping such as {{weight: 20}}, found {conf!r}")
        pio.check_keys(conf, {"weight", "benchmark", "multiple"}, key)
        bench = conf.get("benchmark", "aggregate")
        if not isinstance(bench, (int, float)) or isinstance(bench, bool):
            bench = pio.choice(bench, "benchmark", key, ("aggregate", "mean", "median"))
        elif bench <= 0:
            raise ProfileError(f"{key}, key 'benchmark': a given benchmark must be > 0, "
                               f"found {bench}")
        weight = pio.number(conf.get("weight"), "weight", key, minimum=0)
        if weight and weight > 0:
            multiple = pio.number(conf.get("multiple", 1.0), "multiple", key, minimum=0)
            specs.append(IndicatorSpec(name, weight,
                                       bench if isinstance(bench, str) else float(bench), multiple))
    if not specs:
        raise ProfileError(f"{src}, key 'indicators': every weight is 0; at least one must be > 0")
    classes = pio.section(raw, "classes", src)
    pio.check_keys(classes, {"method", "rank_share", "thresholds"}, f"{src}, classes")
    method = pio.choice(classes.get("method", "rank_share"), "classes.method", src,
                        ("rank_share", "thresholds"))
    shares = _class_pairs(classes.get("rank_share"), f"{src}, classes.rank_share", increasing=True)
    thresholds = _class_pairs(classes.get("thresholds"), f"{src}, classes.thresholds",
                              increasing=False)
    if method == "rank_share" and abs(shares[-1][1] - 1.0) > 1e-9:
        raise ProfileError(f"{src}, classes.rank_share: the last class must reach 1.0 "
                           f"(cumulative share), found {shares[-1][1]}")
    graded, separately = _scope(raw, src)
    return Evaluation(
        indicators=tuple(specs),
        land_share=pio.choice(raw.get("land_share", "employees"), "land_share", src,
                              ("employees", "equal")),
        min_revenue_wan=pio.number(elig.get("min_revenue_wan", 0), "eligibility.min_revenue_wan",
                                   src, 0),
        min_land_mu=pio.number(elig.get("min_land_mu", 0), "eligibility.min_land_mu", src, 0),
        min_age_years=pio.number(elig.get("min_age_years", 0), "eligibility.min_age_years", src, 0),
        scope_graded=graded, scope_separately=separately,
        scoring=pio.choice(raw.get("scoring", "benchmark"), "scoring", src,
                           ("benchmark", "minmax")),
        cap=pio.number(raw.get("cap"), "cap", src, minimum=0, allow_none=True),
        missing=pio.choice(raw.get("missing", "reweight"), "missing", src, ("reweight", "zero")),
        class_method=method, class_shares=shares, class_thresholds=thresholds,
    )


def _class_pairs(raw: object, src: str, increasing: bool) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, dict) or not raw:
        raise ProfileError(f"{src}: expected a mapping of class → number, found {raw!r}")
    pairs = tuple((str(k), pio.number(v, str(k), src, minimum=0)) for k, v in raw.items())
    values = [v for _, v in pairs]
    steps = list(zip(values, values[1:], strict=False))
    ordered = all(a < b for a, b in steps) if increasing else all(a > b for a, b in steps)
    if not ordered:
        word = "increasing" if increasing else "decreasing"
        raise ProfileError(f"{src}: values must be strictly {word} from the best class to the "
                           f"worst, found {dict(pairs)}")
    return pairs  # type: ignore[return-value]


def _scope(raw: dict[str, Any], src: str) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """Check ``evaluation.scope``: the main ranking's land classes and the separate ones."""
    from zonekit.zones.landuse import CLASSES

    scope = pio.section(raw, "scope", src)
    key = f"{src}, scope"
    pio.check_keys(scope, {"graded", "separately"}, key)
    lists = {}
    for name in ("graded", "separately"):
        value = scope.get(name, [] if name == "separately" else None)
        if value is None and name == "graded":
            lists[name] = None
            continue
        if not isinstance(value, list) or not all(v in CLASSES for v in value):
            raise ProfileError(f"{key}.{name}: expected a list of land classes from "
                               f"{', '.join(CLASSES)}, found {value!r}")
        lists[name] = tuple(value)
    both = set(lists["graded"] or ()) & set(lists["separately"])
    if both:
        raise ProfileError(f"{key}: {', '.join(sorted(both))} cannot be both in the main "
                           f"ranking (graded) and graded separately")
    return lists["graded"], lists["separately"]
