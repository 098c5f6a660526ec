"""zonekit: land-use and functional-zone analysis for industrial parks.

One way in: the typed API below, used as ``import zonekit as zk``::

    park = zk.load_park("park/", mapping="mapping.yaml")   # or zk.load_park(): the sample
    z = zk.measure_zones(park)                              # ZonesResult
    i = zk.intensity(park, target=40, year=2030)            # 亩均, low-efficiency land, renewal
    t = zk.indicators(park)                                 # the plan's Table 1-1 tracker
    c = zk.circles("service", park=park)                    # network circles
    zk.report([z, i, t, c], "out/report")

The command line, the report, the maps, the notebooks and the QGIS provider are clients of
this API. The package is assembled from the repository's top-level folders: ``zones/`` →
:mod:`zonekit.zones` (layer model, I/O, validation, CRS), ``analysis/`` →
:mod:`zonekit.analysis` (pure computations), ``maps/`` → :mod:`zonekit.maps`, ``data/`` →
:mod:`zonekit.data` (the synthetic sample park). Heavy modules load on first use.
"""

from __future__ import annotations

import types
import warnings
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["DEFAULT_KIND", "CircleOptions", "CirclesResult", "DataOptions",
           "IndicatorsResult", "IntensityResult", "ReportResult", "Result", "ScaleRun",
           "ZonesResult", "__version__", "chinese_table", "circle_kind", "circle_kinds",
           "circles", "indicators", "intensity", "load_park", "measure_zones",
           "osm_facilities", "osm_roads", "poi_facilities", "report", "scale_circles",
           "scale_intensity", "scale_partition"]

if TYPE_CHECKING:
    from zonekit.api import (  # noqa: F401
        DEFAULT_KIND,
        CircleOptions,
        CirclesResult,
        DataOptions,
        IndicatorsResult,
        IntensityResult,
        ReportResult,
        Result,
        ScaleRun,
        ZonesResult,
        circle_kind,
        circle_kinds,
        circles,
        indicators,
        intensity,
        load_park,
        measure_zones,
        osm_facilities,
        osm_roads,
        poi_facilities,
        report,
        scale_circles,
        scale_intensity,
        scale_partition,
    )


import zonekit.zones as _layer_model  # noqa: E402 - the layer-model package, made callable below


class _DeprecatedCall(types.ModuleType):
    """The package :mod:`zonekit.zones`, also callable as the old ``zk.zones(park)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> ZonesResult:
        warnings.warn("zk.zones(...) is deprecated: call zk.measure_zones(...); zk.zones is "
                      "the layer-model package zonekit.zones", DeprecationWarning, stacklevel=2)
        from zonekit.api.zones import measure_zones

        return measure_zones(*args, **kwargs)


# zk.zones stays the package itself (its modules import as ever); calling it still works.
_layer_model.__class__ = _DeprecatedCall


def chinese_table(*args: Any, **kwargs: Any) -> Any:
    """Give a table Chinese headings with units (:func:`zonekit.maps.workbook.chinese_table`)."""
    from zonekit.maps.workbook import chinese_table as table

    return table(*args, **kwargs)


def __getattr__(name: str) -> Any:
    # The API imports geopandas & co.; load it on first use so `zonekit --help` stays fast.
    if name in __all__:
        import zonekit.api as api

        return getattr(api, name)
    raise AttributeError(f"module 'zonekit' has no attribute {name!r}")
