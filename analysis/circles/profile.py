"""The service-circle profile: categories, thresholds, chains and charging settings.

``profiles/circles.yaml`` holds the shipped defaults (GB 50180-2018 life circles, the
MOFCOM 一刻钟便民生活圈 basics, the park's industry chains, the charging circle). A user's
file given with ``--profile`` is merged over it key by key
(:func:`zonekit.analysis.profile_io.load_merged`). Everything is checked here, before any
data is read: an unknown category, key or chain, a wrong type, a malformed YAML file are
:class:`zonekit.errors.ProfileError` naming the file and the key (and, for categories, the
known ones).

Examples
--------
>>> prof = load_circles_profile()
>>> spec = prof.circle("service")
>>> spec.mode, spec.limits_minutes()["convenience_store"], spec.limits_minutes()["fitness"]
('walk', 5.0, 15.0)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from zonekit.analysis import profile_io as pio
from zonekit.analysis.circles.circle_spec import (  # noqa: F401 - re-exported
    CHARGING,
    INDUSTRY,
    METHODS,
    MODES,
    ORIGIN_KINDS,
    SAME_CHAIN,
    SERVICE,
    CategorySpec,
    ChainSpec,
    CircleSpec,
    CirclesProfile,
    Headline,
    ReportSpec,
    SitingSpec,
)
from zonekit.errors import ProfileError

DEFAULT_PROFILE_PATH = pio.PROFILE_DIR / "circles.yaml"
#: ``capacity_norms`` is read by :func:`zonekit.analysis.circles.capacity.load_norms`,
#: ``capacity_methods`` by :func:`zonekit.analysis.circles.capacity_methods.load_method`.
_TOP = {"scheme", "settings", "categories", "circles", "travel", "capacity_norms",
        "capacity_methods"}
_SETTINGS = {"max_snap_m", "surface_max_minutes", "bands_minutes", "gcj02_check_m"}
_CIRCLE = {"like", "title_zh", "map_title", "report_title", "folder", "report", "name_zh",
           "mode", "origins", "categories", "basics", "min_peers", "weights",
           "default_chain", "chains", "target_share", "fast_power_kw", "fast_only", "siting",
           "default_minutes"}
_CATEGORY = {"minutes", "metres", "life_circle"}
_REPORT = {"new_sites", "headlines", "capacity_col"}
_HEADLINE = {"category", "measure", "label"}
#: A kind's name becomes a folder name and a command-line value.
_KIND_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
#: Headline category meaning "the run's complete set" (basics_complete, all_categories or
#: all_elements, whichever the run computed).
COMPLETE = "complete"
_CHAIN = {"industries", "weights", "name_zh"}
_SITING = {"demand", "spacing_m", "road_max_m", "land_classes", "max_candidates", "solver",
           "time_limit_s"}
#: What the charging siting covers (the weight of its demand points).
DEMANDS = ("built_land_km2", "origins", "parcels", "enterprises", "employees")
LAND_CLASSES = ("industrial", "logistics", "commercial", "residential", "public_service",
                "green", "road", "water", "other")


def _known(cat: object, known: dict[str, str], src: str, key: str) -> str:
    if cat not in known:
        raise ProfileError(f"{src}, key '{key}': unknown category {cat!r}; known categories "
                           f"(key 'categories'): {', '.join(known)}")
    return str(cat)


def _categories(raw: Any, known: dict[str, str], src: str) -> tuple[CategorySpec, ...]:
    key = "categories"
    if not isinstance(raw, dict) or not any(v is not None for v in raw.values()):
        raise ProfileError(f"{src}, key '{key}': expected a mapping of category to "
                           f"{{minutes, metres}}, found {raw!r}")
    out = []
    for cat, spec in raw.items():
        _known(cat, known, src, f"{key}.{cat}")
        where = f"{src}, key '{key}.{cat}'"
        if spec is None:  # a user profile drops a shipped category with `category: null`
            continue
        if not isinstance(spec, dict):
            raise ProfileError(f"{where}: expected {{minutes: N, metres: N}}, found {spec!r}")
        pio.check_keys(spec, _CATEGORY, where)
        if "minutes" not in spec:
            raise ProfileError(f"{where}: required key 'minutes' is missing")
        minutes = pio.number(spec["minutes"], "minutes", where, minimum=1e-9, maximum=600)
        metres = pio.number(spec.get("metres"), "metres", where, minimum=1e-9, allow_none=True)
        level = spec.get("life_circle")
        out.append(CategorySpec(str(cat), known[cat], float(minutes or 0), metres,
                                None if level is None else str(level)))
    return tuple(out)


def _weights(raw: Any, allowed: tuple[str, ...], known: dict[str, str], src: str,
             key: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise ProfileError(f"{src}, key '{key}': expected a mapping of element to weight, "
                           f"found {raw!r}")
    out = {}
    for cat, w in raw.items():
        _known(cat, known, src, f"{key}.{cat}")
        if cat not in allowed:
            raise ProfileError(f"{src}, key '{key}.{cat}': {cat!r} is not one of this "
                               f"circle's categories ({', '.join(allowed)})")
        out[str(cat)] = float(pio.number(w, f"{key}.{cat}", src, minimum=0) or 0)
    if sum(out.values()) <= 0:
        raise ProfileError(f"{src}, key '{key}': expected weights summing to more than 0")
    return out


def _siting(raw: dict[str, Any], src: str) -> SitingSpec:
    where = f"{src}, key 'siting'"
    pio.check_keys(raw, _SITING, where)
    d = SitingSpec()
    classes = raw.get("land_classes", list(d.land_classes))
    if not isinstance(classes, list) or not set(classes) <= set(LAND_CLASSES):
        raise ProfileError(f"{where}.land_classes: expected a list of {', '.join(LAND_CLASSES)}, "
                           f"found {classes!r}")
    return SitingSpec(
        demand=pio.choice(raw.get("demand", d.demand), "demand", where, DEMANDS),
        spacing_m=float(pio.number(raw.get("spacing_m", d.spacing_m), "spacing_m", where,
                                   minimum=1)),
        road_max_m=float(pio.number(raw.get("road_max_m", d.road_max_m), "road_max_m", where,
                                    minimum=0)),
        land_classes=tuple(classes),
        max_candidates=int(pio.number(raw.get("max_candidates", d.max_candidates),
                                      "max_candidates", where, minimum=1)),
        solver=pio.choice(raw.get("solver", d.solver), "solver", where, ("highs", "cbc")),
        time_limit_s=float(pio.number(raw.get("time_limit_s", d.time_limit_s), "time_limit_s",
                                      where, minimum=1)),
    )


def _chains(raw: dict[str, Any], ids: tuple[str, ...], known: dict[str, str], src: str,
            default_weights: dict[str, float]) -> dict[str, ChainSpec]:
    """Read an industry circle's ``chains``: each chain's industries and element weights."""
    chains = pio.section(raw, "chains", src)
    parsed = {}
    for name, chain in chains.items():
        where = f"{src}, key 'chains.{name}'"
        if not isinstance(chain, dict):
            raise ProfileError(f"{where}: expected {{industries: [...]}}, found {chain!r}")
        pio.check_keys(chain, _CHAIN, where)
        inds = chain.get("industries")
        if not isinstance(inds, list) or not inds:
            raise ProfileError(f"{where}.industries: expected a list of industry names, "
                               f"found {inds!r}")
        weights = (_weights(chain["weights"], ids, known, src, f"chains.{name}.weights")
                   if "weights" in chain else dict(default_weights))
        parsed[str(name)] = ChainSpec(str(name), tuple(map(str, inds)), weights)
    return parsed


def _circle(kind: str, raw: Any, known: dict[str, str], src: str) -> CircleSpec:
    src = f"{src}, circle '{kind}'"
    if not isinstance(raw, dict):
        raise ProfileError(f"{src}: expected a mapping of settings, found {raw!r}")
    pio.check_keys(raw, _CIRCLE, src)
    cats = _categories(raw.get("categories"), known, src)
    ids = tuple(c.id for c in cats)
    basics = raw.get("basics", [])
    if not isinstance(basics, list):
        raise ProfileError(f"{src}, key 'basics': expected a list of categories, found {basics!r}")
    for b in basics:
        _known(b, known, src, "basics")
        if b not in ids:
            raise ProfileError(f"{src}, key 'basics': {b!r} has no threshold in this circle's "
                               f"categories ({', '.join(ids)})")
    kw: dict[str, Any] = {}
    if "weights" in raw:
        kw["weights"] = _weights(raw["weights"], ids, known, src, "weights")
    parsed = _chains(raw, ids, known, src, kw.get("weights") or {})
    default_chain = raw.get("default_chain")
    if default_chain is not None and default_chain not in parsed:
        raise ProfileError(f"{src}, key 'default_chain': {default_chain!r} is not among the "
                           f"chains ({', '.join(parsed) or 'none'})")
    siting = raw.get("siting") or {}
    if not isinstance(siting, dict):
        raise ProfileError(f"{src}, key 'siting': expected a mapping, found {siting!r}")
    fast_only = raw.get("fast_only", False)
    if not isinstance(fast_only, bool):
        raise ProfileError(f"{src}, key 'fast_only': expected true or false, found {fast_only!r}")
    like = _like(raw, parsed, cats, src)
    name_zh = str(raw.get("name_zh", kind))
    title_zh = str(raw.get("title_zh", name_zh))
    extra = "覆盖、缺口与建议站点" if like == CHARGING else "覆盖与缺口"
    return CircleSpec(
        kind=kind, name_zh=name_zh, like=like, title_zh=title_zh,
        map_title=_text(raw, "map_title", f"{{park}} {title_zh}{extra}", src),
        isochrone_title=_text(raw, "isochrone_title", f"{{park}} {title_zh}等时圈", src),
        report_title=_text(raw, "report_title", title_zh, src),
        folder=_text(raw, "folder", f"circles_{kind}", src),
        report=_report(raw.get("report"), src),
        mode=pio.choice(raw.get("mode"), "mode", src, MODES),
        origins=pio.choice(raw.get("origins", "enterprises" if like == INDUSTRY
                                   else "population"), "origins", src, ORIGIN_KINDS),
        categories=cats, basics=tuple(basics),
        min_peers=int(pio.number(raw.get("min_peers", 1), "min_peers", src, minimum=1) or 1),
        default_chain=default_chain, chains=parsed,
        target_share=float(pio.number(raw.get("target_share", 0.9), "target_share", src,
                                      minimum=0, maximum=1) or 0),
        fast_power_kw=float(pio.number(raw.get("fast_power_kw", 60), "fast_power_kw", src,
                                       minimum=0) or 0),
        fast_only=fast_only, siting=_siting(siting, src),
        default_minutes=pio.number(raw.get("default_minutes"), "default_minutes", src,
                                   minimum=1e-9, maximum=600, allow_none=True), **kw,
    )


def _text(raw: dict[str, Any], key: str, default: str, src: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{src}, key '{key}': expected a text, found {value!r}")
    return value.strip()


def _like(raw: dict[str, Any], chains: dict[str, ChainSpec], cats: tuple[CategorySpec, ...],
          src: str) -> str:
    """Return the circle's method; check what that method needs from the profile."""
    if "like" not in raw:
        raise ProfileError(f"{src}: required key 'like' is missing: say how the circle is "
                           f"computed, one of {', '.join(METHODS)}")
    like = pio.choice(raw["like"], "like", src, METHODS)
    if like == INDUSTRY and not chains:
        raise ProfileError(f"{src}: a circle like '{INDUSTRY}' needs 'chains' (the "
                           "enterprise industries of each chain)")
    if like == CHARGING and len(cats) != 1:
        raise ProfileError(f"{src}, key 'categories': a circle like '{CHARGING}' has one "
                           f"category (its stations), found {len(cats)}")
    return like


def _report(raw: Any, src: str) -> ReportSpec | None:
    """Read the ``report:`` block: the default report runs the circle (``report: {}`` will do)."""
    if raw is None:
        return None
    where = f"{src}, key 'report'"
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: expected a mapping (new_sites, headlines), found {raw!r}")
    pio.check_keys(raw, _REPORT, where)
    heads = raw.get("headlines", [])
    if not isinstance(heads, list):
        raise ProfileError(f"{where}.headlines: expected a list, found {heads!r}")
    out = []
    for i, h in enumerate(heads):
        at = f"{where}.headlines[{i}]"
        if not isinstance(h, dict) or "category" not in h or "label" not in h:
            raise ProfileError(f"{at}: expected {{category, label, measure}}, found {h!r}")
        pio.check_keys(h, _HEADLINE, at)
        out.append(Headline(str(h["category"]), str(h["label"]),
                            None if h.get("measure") is None else str(h["measure"])))
    sites = raw.get("new_sites")
    cap = raw.get("capacity_col")
    return ReportSpec(None if sites is None else int(pio.number(sites, "new_sites", where,
                                                                minimum=0) or 0), tuple(out),
                      None if cap is None else str(cap))


def load_circles_profile(path: str | Path | None = None) -> CirclesProfile:
    """Read the shipped circles profile, with a user's file merged over it.

    Parameters
    ----------
    path
        A user's YAML file holding the keys it changes; ``None`` for the shipped profile.

    Raises
    ------
    ProfileError
        Malformed YAML, unknown keys, categories, chains or circles, wrong types; the
        message names the file and the key.
    """
    data, src = pio.load_merged(DEFAULT_PROFILE_PATH, path)
    pio.check_keys(data, _TOP, src)
    names = pio.section(data, "categories", src)
    bad = [k for k, v in names.items() if not isinstance(v, str)]
    if bad:
        raise ProfileError(f"{src}, key 'categories.{bad[0]}': expected a Chinese name, "
                           f"found {names[bad[0]]!r}")
    settings = pio.section(data, "settings", src)
    pio.check_keys(settings, _SETTINGS, f"{src}, key 'settings'")
    circles_raw = pio.section(data, "circles", src)
    bad = [k for k in circles_raw if not _KIND_NAME.match(str(k))]
    if bad:
        raise ProfileError(f"{src}, key 'circles.{bad[0]}': a circle's name is letters, digits, "
                           "'_' or '-', starting with a letter (it names folders and kind=)")
    circles = {str(kind): _circle(str(kind), spec, names, src)
               for kind, spec in circles_raw.items() if spec is not None}
    travel = pio.section(data, "travel", src) if "travel" in data else {}
    for mode, keys in travel.items():
        if not isinstance(keys, dict):
            raise ProfileError(f"{src}, key 'travel.{mode}': expected a mapping of travel "
                               f"settings (speeds_kmh, default_speed_kmh …), found {keys!r}")
        from zonekit.analysis.network.travel import load_travel_profile

        # unknown modes and keys refused now, against the file that holds them
        load_travel_profile(str(mode), overrides=keys,
                            overrides_source=str(path) if path is not None else src)
    bands = settings.get("bands_minutes", [5, 10, 15])
    if not isinstance(bands, list) or not bands:
        raise ProfileError(f"{src}, key 'settings.bands_minutes': expected a list of minutes, "
                           f"found {bands!r}")
    return CirclesProfile(
        source=src, scheme=str(data.get("scheme", "")).strip(), names_zh=names,
        circles=circles,
        max_snap_m=float(pio.number(settings.get("max_snap_m", 250), "settings.max_snap_m",
                                    src, minimum=0) or 0),
        surface_max_minutes=float(pio.number(settings.get("surface_max_minutes", 30),
                                             "settings.surface_max_minutes", src,
                                             minimum=1) or 30),
        bands_minutes=tuple(sorted(float(pio.number(b, "settings.bands_minutes", src,
                                                    minimum=1e-9) or 0) for b in bands)),
        gcj02_check_m=float(pio.number(settings.get("gcj02_check_m", 150),
                                       "settings.gcj02_check_m", src, minimum=0) or 0),
        travel={str(k): dict(v) for k, v in travel.items()},
    )
