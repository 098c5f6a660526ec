"""A run's HTML map drawn by a process forked while the run still computes: warm when needed.

Drawing a town's map costs about a second, and a cold process pays half as much again
before it draws (importing folium compiles its templates; PROJ and GDAL open their
databases on the first transformation). At town scale the map is the longer side of the
write step (25k nodes: 1.3 s of map against 0.35 s of tables, layers and rasters), so
:func:`start` forks a copy of the run right after its layers are read: it imports and
warms up while the run searches and polygonises on the other core, and when the run is
written it is sent the map's layers (pickled: 6 MB at 25k nodes) and draws the page while
the run writes its files. Bigger runs keep the map in their own process (see
:func:`wanted`), and without ``fork`` (:func:`zonekit.parallel.start_method`) there is no
copy at all: the map is drawn where it always was, from the same layers.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zonekit.maps.interactive import MapLayer
    from zonekit.standby import Standby
    from zonekit.zones.park import Park

#: Largest run (cells of its travel-time grid, origins given) whose map is drawn by a copy.
#: Measured (whole command, interleaved runs with the copy and without): 25,281 cells
#: (25k nodes) 3.99 s against 4.32 s, 10 pairs; 100,489 cells (100k nodes) 6.45 s against
#: 6.37 s, 6 pairs — there the copy's warm-up competes with the category searches' workers
#: and the files take longer; at 1M nodes the files outlast the map (5.7 s against 3.4 s)
#: and its layers cost more to send than the copy saves (269 MB: 0.9 s to pickle and
#: unpickle). Beyond, the files are shared out instead (:func:`zonekit.parallel.share_work`).
MAX_CELLS, MAX_ORIGINS = 50_000, 100_000


def wanted(jobs: int, cells: int, origins: int) -> bool:
    """Whether a run of ``cells`` grid cells and ``origins`` origins draws its map in a copy."""
    return jobs > 1 and cells <= MAX_CELLS and origins <= MAX_ORIGINS


def start(park: Park | None) -> Standby | None:
    """Fork the copy that will draw the map of a run on ``park`` (``None`` without fork)."""
    from zonekit.standby import standby

    return standby(warm_up, functools.partial(draw, park))


def warm_up() -> None:
    """Import what a map draws with and open the projection databases (in the copy)."""
    import folium  # noqa: F401 - compiles its templates once
    import PIL.PngImagePlugin  # noqa: F401
    from pyproj import Transformer
    from rasterio.warp import transform_bounds

    import zonekit.maps.base_layers  # noqa: F401
    import zonekit.maps.interactive  # noqa: F401

    Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True).transform([0.0], [0.0])
    transform_bounds("EPSG:4326", "EPSG:3857", 116.0, 40.0, 116.1, 40.1)


def draw(park: Park | None, layers: list[MapLayer], title: str, folder: Path, stem: str,
         basemap: str, synthetic: bool, attribution: str | None) -> list[str]:
    """Write ``stem.html`` of the layers, the park's roads and water under them; its name.

    The one way a run's HTML map is drawn, in the run's process or in its copy.
    """
    from zonekit.api.maps import with_park_base, write_map

    written = write_map(with_park_base(layers, park), title, folder, stem, ("html",), basemap,
                        synthetic, gpkg=False, attribution=attribution)
    return [p.name for p in written]
