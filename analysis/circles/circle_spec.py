"""What a circles profile defines: circle kinds, their categories, chains and siting.

Plain frozen dataclasses, read from YAML by :mod:`~zonekit.analysis.circles.profile` and
listed by :mod:`~zonekit.analysis.circles.registry`. A :class:`CircleSpec` is one circle
kind: how it is computed (``like``, one of :data:`METHODS`) and everything else that
differs between kinds (names, titles, mode, origins, categories, report figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zonekit.errors import ProfileError
from zonekit.travel_modes import MODES  # noqa: F401 - re-exported: circle kinds name a mode

#: How a circle kind is computed (its ``like:``): the three circle methods of
#: :mod:`~zonekit.analysis.circles.kinds`. The kinds themselves are data (``circles:`` of the
#: profile), listed by :mod:`~zonekit.analysis.circles.registry`.
SERVICE, INDUSTRY, CHARGING = "service", "industry", "charging"
METHODS = (SERVICE, INDUSTRY, CHARGING)
ORIGIN_KINDS = ("population", "residential", "enterprises")
#: Pseudo-category of the industry circle: other enterprises of the same chain.
SAME_CHAIN = "same_chain"


@dataclass(frozen=True)
class CategorySpec:
    """One category of a circle and its thresholds."""

    id: str
    name_zh: str
    minutes: float
    metres: float | None = None
    life_circle: str | None = None


@dataclass(frozen=True)
class ChainSpec:
    """An industry chain: the enterprise ``industry`` values in it, element weights."""

    name: str
    industries: tuple[str, ...]
    weights: dict[str, float]


@dataclass(frozen=True)
class SitingSpec:
    """How candidate charging sites are made and the siting models solved."""

    demand: str = "built_land_km2"
    spacing_m: float = 200.0
    road_max_m: float = 100.0
    land_classes: tuple[str, ...] = ("industrial", "logistics", "commercial", "public_service")
    max_candidates: int = 1500
    solver: str = "highs"
    time_limit_s: float = 60.0


@dataclass(frozen=True)
class Headline:
    """A headline figure of a circle in the report: one coverage row's share."""

    category: str
    label: str
    measure: str | None = None


@dataclass(frozen=True)
class ReportSpec:
    """How the report runs a circle: new sites to propose, its headline figures."""

    new_sites: int | None = None
    headlines: tuple[Headline, ...] = ()
    #: Facility column the report passes as ``capacity_col=`` when the facilities have it.
    capacity_col: str | None = None


@dataclass(frozen=True)
class CircleSpec:
    """One circle kind as the profile defines it: how it is computed, named and reported.

    ``like`` names the method (:data:`METHODS`); every other difference between kinds is
    a field here, so a county profile adds a kind with no code change.
    """

    kind: str
    name_zh: str
    mode: str
    origins: str
    categories: tuple[CategorySpec, ...]
    like: str = SERVICE
    #: Short Chinese name used in map titles and tables (default: ``name_zh``).
    title_zh: str = ""
    #: Map titles ({park} is replaced by the park's name); defaults from ``title_zh``.
    map_title: str = ""
    isochrone_title: str = ""
    #: Heading of the circle in the report.
    report_title: str = ""
    #: Sub-folder of the circle's results in a report or demo (``circles_<kind>``).
    folder: str = ""
    #: Run by the default report (``report:`` block), None: not.
    report: ReportSpec | None = None
    basics: tuple[str, ...] = ()
    min_peers: int = 1
    weights: dict[str, float] = field(default_factory=dict)
    default_chain: str | None = None
    chains: dict[str, ChainSpec] = field(default_factory=dict)
    target_share: float = 0.9
    fast_power_kw: float = 60.0
    fast_only: bool = False
    siting: SitingSpec = SitingSpec()
    default_minutes: float | None = None

    @property
    def categories_from_data(self) -> bool:
        """Whether the run's categories are the facility data's values (service method)."""
        return self.like == SERVICE

    @property
    def starts_from_enterprises(self) -> bool:
        """Whether the origins are the enterprises of a chain (industry method)."""
        return self.like == INDUSTRY

    @property
    def proposes_sites(self) -> bool:
        """Whether the circle covers demand from stations and can propose new sites."""
        return self.like == CHARGING

    def titles(self, park: str) -> dict[str, str]:
        """Map, isochrone-map and report titles with the park's name."""
        return {k: v.replace("{park}", park) for k, v in (
            ("map", self.map_title), ("isochrones", self.isochrone_title),
            ("report", self.report_title))}

    def as_summary(self) -> dict[str, Any]:
        """Return the kind as a run's ``summary.json`` records it (for maps and the report)."""
        rep = self.report
        return {"kind": self.kind, "like": self.like, "name_zh": self.name_zh,
                "title_zh": self.title_zh, "map_title": self.map_title,
                "isochrone_title": self.isochrone_title, "report_title": self.report_title,
                "folder": self.folder, "proposes_sites": self.proposes_sites,
                "categories_from_data": self.categories_from_data,
                "headlines": [] if rep is None else [
                    {"category": h.category, "measure": h.measure, "label": h.label}
                    for h in rep.headlines]}

    @property
    def category_ids(self) -> tuple[str, ...]:
        """Category ids in profile order."""
        return tuple(c.id for c in self.categories)

    def limits_minutes(self) -> dict[str, float]:
        """Threshold in minutes per category."""
        return {c.id: c.minutes for c in self.categories}

    def limits_metres(self) -> dict[str, float]:
        """Threshold in metres per category (only categories that state one)."""
        return {c.id: c.metres for c in self.categories if c.metres is not None}

    def chain(self, name: str | None) -> ChainSpec:
        """Return the chain ``name`` (the default chain when None)."""
        name = name or self.default_chain
        if name not in self.chains:
            raise ProfileError(f"unknown industry chain {name!r}; the profile defines "
                               f"{', '.join(self.chains) or 'none'}")
        return self.chains[name]


@dataclass(frozen=True)
class CirclesProfile:
    """The whole profile: settings, known categories and the three circles."""

    source: str
    scheme: str
    names_zh: dict[str, str]
    circles: dict[str, CircleSpec]
    max_snap_m: float = 250.0
    surface_max_minutes: float = 30.0
    bands_minutes: tuple[float, ...] = (5.0, 10.0, 15.0)
    gcj02_check_m: float = 150.0
    #: Travel-profile keys per mode merged over ``travel.yaml`` (e.g. a county's walking
    #: speed), checked by :func:`zonekit.analysis.network.travel.load_travel_profile`.
    travel: dict[str, dict] = field(default_factory=dict)

    def travel_profile(self, mode: str) -> Any:
        """Return the travel profile of ``mode`` with this profile's overrides."""
        from zonekit.analysis.network.travel import load_travel_profile

        return load_travel_profile(mode, overrides=self.travel.get(mode))

    def circle(self, kind: str) -> CircleSpec:
        """Return the circle ``kind``."""
        if kind not in self.circles:
            raise ProfileError(f"{self.source}, key 'circles': unknown circle {kind!r}; "
                               f"expected one of {', '.join(self.circles)}")
        return self.circles[kind]

    def name_zh(self, category: str) -> str:
        """Chinese name of a category (its id when the profile has none)."""
        return self.names_zh.get(category, category)
