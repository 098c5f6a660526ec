"""zonekit: land-use and functional-zone analysis for industrial parks.

One way in: the typed API below, used as ``import zonekit as zk``::

    park = zk.load_park("park/", mapping="mapping.yaml")   # or zk.load_park(): the sample
    z = zk.zones(park)                                      # ZonesResult
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

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["CircleOptions", "CirclesResult", "DataOptions", "IndicatorsResult",
           "IntensityResult", "ReportResult", "Result", "ScaleRun", "ZonesResult", "__version__",
           "chinese_table", "circles", "indicators", "intensity", "load_park", "osm_facilities",
           "osm_roads", "poi_facilities", "report", "scale_circles", "scale_intensity",
           "scale_partition", "zones"]

if TYPE_CHECKING:
    from zonekit.api import (  # noqa: F401
        CircleOptions,
        CirclesResult,
        DataOptions,
        IndicatorsResult,
        IntensityResult,
        ReportResult,
        Result,
        ScaleRun,
        ZonesResult,
        circles,
        indicators,
        intensity,
        load_park,
        osm_facilities,
        osm_roads,
        poi_facilities,
        report,
        scale_circles,
        scale_intensity,
        scale_partition,
    )


import zonekit.zones as _layer_model  # noqa: E402 - imported before its name is reused


class _Zones:
    """``zk.zones(park)`` measures each zone (:func:`zonekit.api.zones.zones`).

    The name also still reaches the layer-model package ``zonekit.zones``: its modules
    import as before (``from zonekit.zones.park import Park``,
    ``import zonekit.zones.io as io``).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> ZonesResult:
        from zonekit.api.zones import zones as run

        return run(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        import importlib

        if name.startswith("__") or hasattr(_layer_model, name):
            return getattr(_layer_model, name)
        try:
            return importlib.import_module(f"zonekit.zones.{name}")
        except ModuleNotFoundError:
            raise AttributeError(name) from None

    @property
    def __signature__(self) -> Any:
        import inspect

        from zonekit.api.zones import zones as run

        return inspect.signature(run)


zones = _Zones()


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
