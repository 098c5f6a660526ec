"""A circle run's categories, resolved from the facility data.

Every distinct value of the facility category column is a category of the run. A value
naming one of the circle's profile categories — by its id, its Chinese name, a synonym of
``profiles/category_synonyms.yaml`` or through a county's own ``category_map`` — takes
that category's threshold (source ``"profile"``). A value naming a category that belongs
to another circle of the profile (``kindergarten`` in a service run) is computed too, with
that circle's threshold, and named in a note (source ``"other_circle"``): a planner's data
is never left out, ``categories=`` is the way to restrict a run. Any other value is a
category in its own right (source ``"data"``) with the one threshold given, else the
circle's ``default_minutes``.

Examples
--------
>>> from zonekit.analysis.circles.profile import load_circles_profile
>>> prof = load_circles_profile()
>>> res = resolve_categories(["药店", "pharmacy", "菜市场", "书店"], prof.circle("service"),
...                          prof.names_zh)
>>> res.value_to_id["菜市场"], res.limits()["pharmacy"], res.limits()["书店"]
('fresh_market', 8.0, 15.0)
>>> res.categories["书店"].source
'data'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from zonekit.analysis import profile_io as pio
from zonekit.analysis.circles.profile import CircleSpec
from zonekit.errors import ProfileError
from zonekit.zones.wording import counted

SYNONYMS_PATH = pio.PROFILE_DIR / "category_synonyms.yaml"


@dataclass(frozen=True)
class RunCategory:
    """One category of a run."""

    id: str
    name_zh: str
    threshold: float
    source: str  # "profile" | "data" | "other_circle"
    values: tuple[str, ...] = ()
    facilities: int = 0
    life_circle: str | None = None
    #: The circle whose threshold it takes, for source "other_circle".
    circle: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the summary entry."""
        return {"id": self.id, "name_zh": self.name_zh, "threshold": self.threshold,
                "source": self.source, "facilities": self.facilities,
                "values": list(self.values), "life_circle": self.life_circle,
                "circle": self.circle}


@dataclass(frozen=True)
class RunCategories:
    """What :func:`resolve_categories` found.

    Attributes
    ----------
    value_to_id
        Raw category value → category id, for every value the run uses.
    categories
        The run's categories (profile order, then other circles' categories and the data's
        own, each sorted).
    not_in_data
        Profile (or requested) categories with no facility in the data.
    dropped
        Raw values left out by the ``categories`` restriction → number of facilities.
    other_circles
        Raw values naming a category of another circle (computed with that circle's
        threshold) → ``"→ <id> (<circle>: ≤ <threshold> <unit>, <mode>)"``.
    measure
        ``"minutes"`` or ``"metres"``: the unit of the thresholds.
    """

    value_to_id: dict[str, str]
    categories: dict[str, RunCategory]
    not_in_data: list[str]
    dropped: dict[str, int] = field(default_factory=dict)
    other_circles: dict[str, str] = field(default_factory=dict)
    measure: str = "minutes"

    def limits(self) -> dict[str, float]:
        """Threshold per category id, in the measure's unit."""
        return {k: c.threshold for k, c in self.categories.items()}

    def names_zh(self) -> dict[str, str]:
        """Chinese name per category id."""
        return {k: c.name_zh for k, c in self.categories.items()}

    def summary(self) -> dict[str, Any]:
        """Keys ``categories``, ``not_in_data``, ``dropped_categories``, ``other_circles``."""
        return {"categories": [c.as_dict() for c in self.categories.values()],
                "not_in_data": list(self.not_in_data),
                "dropped_categories": dict(self.dropped),
                "other_circles": dict(self.other_circles)}

    def notes(self) -> list[str]:
        """Console lines: where each category came from, what was set aside."""
        unit = "min" if self.measure == "minutes" else "m"
        out = []
        for source, label in (("profile", "from the profile"), ("data", "from your data")):
            cats = [c for c in self.categories.values() if c.source == source]
            if cats:
                out.append(f"categories {label}: " + ", ".join(
                    f"{c.id}{'' if c.name_zh == c.id else ' ' + c.name_zh} "
                    f"(≤ {c.threshold:g} {unit}, {_fac(c.facilities)})" for c in cats))
        if self.not_in_data:
            out.append("not in your data (not computed): " + ", ".join(self.not_in_data))
        if self.dropped:
            out.append("left out by categories=: " + ", ".join(
                f"{v} ({_fac(n)})" for v, n in self.dropped.items()))
        if self.other_circles:
            n = {v: c.facilities for c in self.categories.values() for v in c.values}
            out.append("categories of other circles, computed with that circle's threshold "
                       "(restrict with categories=): " + ", ".join(
                           f"{v} {c} [{_fac(n[v])}]".replace("  ", " ")
                           for v, c in self.other_circles.items()))
        return out


def _fac(n: int) -> str:
    return counted(n, "facility", "facilities")


@cache
def _shipped_synonyms() -> dict[str, tuple[str, ...]]:
    data, src = pio.load_merged(SYNONYMS_PATH, None)
    bad = [k for k, v in data.items() if not isinstance(v, list)]
    if bad:
        raise ProfileError(f"{src}, key '{bad[0]}': expected a list of names")
    return {str(k): tuple(str(n).strip() for n in v) for k, v in data.items()}


def load_category_map(spec: Mapping[str, str] | str | Path | None) -> dict[str, str]:
    """Read a county's category map: a dict, or a CSV (two columns) or YAML file.

    The CSV's first column holds the county's names, the second the category (profile id,
    Chinese name or a new name); a header row naming ``category`` is skipped.

    Raises
    ------
    ProfileError
        Unreadable file, wrong shape; the message names the file.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in spec.items()}
    path = Path(spec)
    if not path.exists():
        raise ProfileError(f"{path}: category map file not found")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ProfileError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(raw, dict) or any(isinstance(v, (dict, list)) for v in raw.values()):
            raise ProfileError(f"{path}: expected a mapping of your names to categories "
                               "(e.g. 农贸市场: fresh_market)")
        return load_category_map(raw)
    table = _read_map_csv(path)
    if table.shape[1] != 2:
        raise ProfileError(f"{path}: expected two columns (your name, category), found "
                           f"{table.shape[1]}")
    if str(table.iloc[0, 1]).strip().lower() == "category":
        table = table.iloc[1:]
    return load_category_map(dict(zip(table[0], table[1], strict=True)))


def _read_map_csv(path: Path) -> pd.DataFrame:
    """Read a category map CSV in UTF-8 or GBK (as Excel and WPS save it in China)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, header=None, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except ValueError as exc:
            raise ProfileError(f"{path}: cannot read the category map as CSV ({exc})") from exc
    raise ProfileError(f"{path}: the category map is neither UTF-8 nor GBK text")


def _matcher(spec: CircleSpec, names_zh: Mapping[str, str],
             synonyms: Mapping[str, Iterable[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Name → id of this circle's categories, and name → id of the profile's other ones."""
    own: dict[str, str] = {}
    ids = spec.category_ids
    for cid in reversed(ids):  # the first category in profile order wins a shared name
        for name in (cid, cid.lower(), names_zh.get(cid, cid), *synonyms.get(cid, ())):
            own[str(name).strip()] = cid
    other: dict[str, str] = {}
    for cid, zh in names_zh.items():
        if cid not in ids:
            for name in (cid, zh, *synonyms.get(cid, ())):
                other.setdefault(str(name).strip(), cid)
    return own, other


def _one(value: str, own: dict[str, str], cmap: dict[str, str]) -> str | None:
    """Return the circle category a value names, or None."""
    v = cmap.get(value, value)
    return own.get(v, own.get(v.lower()))


def resolve_categories(values: Iterable[Any] | pd.Series, spec: CircleSpec,
                       names_zh: Mapping[str, str], *, measure: str = "minutes",
                       threshold: float | None = None,
                       categories: Sequence[str] | None = None,
                       category_map: Mapping[str, str] | str | Path | None = None,
                       synonyms: Mapping[str, Iterable[str]] | None = None,
                       circles: Mapping[str, CircleSpec] | None = None
                       ) -> RunCategories:
    """Resolve a run's categories from the facility category column.

    Parameters
    ----------
    values
        The facility category column (one value per facility; blanks are ignored).
    spec
        The circle (its categories, thresholds and ``default_minutes``).
    names_zh
        Every category the profile knows → Chinese name.
    measure
        ``"minutes"`` or ``"metres"``: which of the profile's thresholds apply.
    threshold
        The one threshold (in ``measure`` units) for categories the circle does not know.
    categories
        Restrict the run to these (ids, Chinese names, synonyms or raw values).
    category_map
        A county's own names → category (dict, or a CSV/YAML file).
    synonyms
        Category id → other names; the shipped table when None.
    circles
        The profile's circles, in profile order: a category of another circle takes the
        threshold of the first one that gives it in ``measure``.

    Returns
    -------
    RunCategories

    Raises
    ------
    ProfileError
        A category found in the data has no threshold: ``measure="metres"`` without
        ``threshold``, or no ``default_minutes`` in the circle; ``categories`` is empty.
    """
    series = pd.Series(values, dtype=object).dropna().astype(str).str.strip()
    counts = series[series != ""].value_counts(sort=False)
    cmap = load_category_map(category_map)
    own, other = _matcher(spec, names_zh, _shipped_synonyms() if synonyms is None else synonyms)
    wanted = None
    if categories is not None:
        if not len(categories):
            raise ProfileError("categories: expected at least one category")
        wanted = {_one(str(c).strip(), own, cmap) or cmap.get(c, c) for c in categories}
    value_to_id, dropped = {}, {}
    for value, n in counts.items():
        cid = _one(value, own, cmap)
        if cid is None:
            mapped = cmap.get(value, value)
            cid = other.get(mapped, mapped)
        if wanted is not None and cid not in wanted:
            dropped[value] = int(n)
            continue
        value_to_id[value] = cid
    borrowed = _borrowed(set(value_to_id.values()) - set(spec.category_ids), spec,
                         circles or {}, measure)
    cats = _build(value_to_id, counts, spec, names_zh, measure, threshold, borrowed)
    expected = list(spec.category_ids) if wanted is None else [
        c for c in [*spec.category_ids, *sorted(wanted - set(spec.category_ids))] if c in wanted]
    unit = "min" if measure == "minutes" else "m"
    others = {v: (("" if cid == v else f"→ {cid} ")
                  + f"({borrowed[cid][0]}: ≤ {borrowed[cid][1]:g} {unit}, "
                  f"{borrowed[cid][2]})").strip()
              for v, cid in value_to_id.items() if cid in borrowed}
    return RunCategories(value_to_id, cats, [c for c in expected if c not in cats], dropped,
                         others, measure)


def _borrowed(ids: set[str], spec: CircleSpec, circles: Mapping[str, CircleSpec],
              measure: str) -> dict[str, tuple[str, float, str]]:
    """Category id → (circle, threshold, mode) of the first other circle that gives it."""
    out: dict[str, tuple[str, float, str]] = {}
    for kind, other in circles.items():
        if kind == spec.kind:
            continue
        table = other.limits_minutes() if measure == "minutes" else other.limits_metres()
        for cid in ids & set(table):
            out.setdefault(cid, (kind, float(table[cid]), other.mode))
    return out


def _build(value_to_id: dict[str, str], counts: pd.Series, spec: CircleSpec,
           names_zh: Mapping[str, str], measure: str, threshold: float | None,
           borrowed: Mapping[str, tuple[str, float, str]]) -> dict[str, RunCategory]:
    table = spec.limits_minutes() if measure == "minutes" else spec.limits_metres()
    levels = {c.id: c.life_circle for c in spec.categories}
    by_id: dict[str, list[str]] = {}
    for value, cid in value_to_id.items():
        by_id.setdefault(cid, []).append(value)
    # the circle's own in profile order, then other circles' categories, then the data's
    order = [c for c in spec.category_ids if c in by_id] + sorted(
        c for c in by_id if c not in spec.category_ids and c in borrowed) + sorted(
        c for c in by_id if c not in spec.category_ids and c not in borrowed)
    default = threshold if threshold is not None else (
        spec.default_minutes if measure == "minutes" else None)
    lacking = [c for c in order if c not in table and c not in borrowed and default is None]
    if lacking:
        raise ProfileError(f"circle '{spec.kind}' gives no {measure} for {', '.join(lacking)} "
                           f"(categories found in the data): pass {measure}= (one threshold "
                           "for them)" + ("" if measure == "metres" else
                                          ", or set default_minutes in the profile"))
    out = {}
    for cid in order:
        if cid in table:
            limit, source, circle = table[cid], "profile", None
        elif cid in borrowed:
            circle, limit, _ = borrowed[cid]
            source = "other_circle"
        else:
            limit, source, circle = default, "data", None
        out[cid] = RunCategory(
            cid, names_zh.get(cid, cid), float(limit), source, tuple(by_id[cid]),
            int(sum(counts[v] for v in by_id[cid])), levels.get(cid), circle)
    return out


__all__ = ["RunCategories", "RunCategory", "load_category_map", "resolve_categories"]
