"""``zk.poi_facilities``: facilities from an Amap (高德) or Baidu (百度) POI export.

Chinese planners get POIs from Amap far more often than from OpenStreetMap. The export's
type (Amap ``typecode``, Baidu ``tag``) maps onto the circles' categories through the
shipped ``zones/poi_types.yaml`` (or a table of the same form); its coordinates (Amap
GCJ-02, Baidu BD-09) are converted to WGS84 (see :mod:`zonekit.zones.poi`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zonekit.api.params import checked

if TYPE_CHECKING:
    import geopandas as gpd


@checked
def poi_facilities(path: str | Path, source: str, *, table: str | Path | None = None
                   ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read an Amap or Baidu POI export (CSV, UTF-8 or GBK, or Excel) as facilities.

    Parameters
    ----------
    path
        The export file.
    source
        ``"amap"`` (``typecode`` column, GCJ-02 coordinates) or ``"baidu"`` (``tag``
        column, BD-09 coordinates).
    table
        A YAML type table replacing the shipped ``zones/poi_types.yaml`` (same sections).

    Returns
    -------
    tuple
        Points in EPSG:4326 (WGS84) with ``fac_id``, ``category``, ``name`` and
        ``poi_type``, as ``zk.circles(facilities=…)`` takes them; and the count of
        unmapped POIs per type value.

    Raises
    ------
    zonekit.errors.ZonekitError
        An unknown ``source``; a missing or unreadable file (``DataFileError``); missing
        type or coordinate columns, or rows without valid coordinates (``SchemaError``).
    """
    from zonekit.zones.poi import read_poi_export

    return read_poi_export(Path(path), source, table)  # type: ignore[arg-type]
