"""The circle kinds: the one place that lists them.

A kind is data — an entry of ``circles:`` in ``profiles/circles.yaml``, or in a county's
``--profile`` merged over it (see :mod:`~zonekit.analysis.circles.profile`). The command
line's ``--kind`` help, the API's checks, the maps' and the report's titles, the default
report's runs and the QGIS algorithms all come from here; nothing else names a kind.

Examples
--------
>>> list(circle_kinds())
['service', 'lifecircle', 'industry', 'charging']
>>> circle_kind("charging").proposes_sites
True
>>> [k for k, _ in report_runs()]
['service', 'industry', 'charging']
"""

from __future__ import annotations

from pathlib import Path

from zonekit.analysis.circles.profile import CircleSpec, CirclesProfile, load_circles_profile
from zonekit.errors import ZonekitError

#: The kind ``zonekit circles`` and ``zk.circles`` run when none is given.
DEFAULT_KIND = "service"


def _profile(profile: CirclesProfile | str | Path | None) -> CirclesProfile:
    return profile if isinstance(profile, CirclesProfile) else load_circles_profile(profile)


def circle_kinds(profile: CirclesProfile | str | Path | None = None) -> dict[str, CircleSpec]:
    """Every circle kind of the profile (shipped, with a county's file merged over it).

    Parameters
    ----------
    profile
        A loaded profile, a YAML file merged over the shipped one, or None (shipped).
    """
    return dict(_profile(profile).circles)


def circle_kind(kind: str, profile: CirclesProfile | str | Path | None = None) -> CircleSpec:
    """Return the kind ``kind``; an unknown one is an error naming the kinds there are.

    Raises
    ------
    ZonekitError
        ``kind`` is not a circle of the profile (the message lists them and says how a
        county adds one).
    """
    prof = _profile(profile)
    if not isinstance(kind, str) or kind not in prof.circles:
        raise ZonekitError(f"kind= must be one of {', '.join(prof.circles)}, got {kind!r} "
                           "(a county adds a circle kind in its profile, profile=FILE, "
                           "key 'circles')")
    return prof.circles[kind]


def kinds_help(profile: CirclesProfile | str | Path | None = None) -> str:
    """One line naming each kind with its Chinese name, for help texts."""
    return ", ".join(f"{k} ({s.name_zh})" for k, s in circle_kinds(profile).items())


def report_runs(profile: CirclesProfile | str | Path | None = None
                ) -> list[tuple[str, int | None]]:
    """Return the kinds the default report runs (with a ``report:`` block), their new sites."""
    return [(k, s.report.new_sites) for k, s in circle_kinds(profile).items()
            if s.report is not None]


__all__ = ["DEFAULT_KIND", "circle_kind", "circle_kinds", "kinds_help", "report_runs"]
