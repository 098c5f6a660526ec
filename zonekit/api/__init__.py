"""The public Python API; import it as ``import zonekit as zk`` (see :mod:`zonekit`)."""

from zonekit.analysis.circles.registry import DEFAULT_KIND, circle_kind, circle_kinds
from zonekit.api.circles import CircleOptions, circles
from zonekit.api.circles_result import CirclesResult
from zonekit.api.data import DataOptions, load_park
from zonekit.api.mujun import IndicatorsResult, IntensityResult, indicators, intensity
from zonekit.api.osm import osm_facilities, osm_roads
from zonekit.api.poi import poi_facilities
from zonekit.api.report import ReportResult, report
from zonekit.api.results import Result
from zonekit.api.scale import ScaleRun, scale_circles, scale_intensity, scale_partition
from zonekit.api.zones import ZonesResult, measure_zones

__all__ = ["DEFAULT_KIND", "CircleOptions", "CirclesResult", "DataOptions",
           "IndicatorsResult", "IntensityResult", "ReportResult", "Result", "ScaleRun",
           "ZonesResult", "circle_kind", "circle_kinds", "circles", "indicators", "intensity",
           "load_park", "measure_zones", "osm_facilities", "osm_roads", "poi_facilities",
           "report", "scale_circles", "scale_intensity", "scale_partition"]
