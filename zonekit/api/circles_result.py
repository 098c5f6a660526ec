"""The result of a circle: per-origin minutes, coverage, gaps, isochrones; its files and maps."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.results import Result
from zonekit.errors import ZonekitError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd


@dataclass(repr=False)
class CirclesResult(Result):
    """One circle's tables (analysis CRS) and summary.

    Attributes
    ----------
    origins
        One row per origin: ``origin_id`` (the user's ids), ``weight``, ``snap_m``,
        ``reachable``, ``minutes_<category>`` (or ``metres_<category>``), ``complete``,
        ``covered`` …, with the origin's shape.
    coverage
        Long table: ``scenario``, ``category``, ``measure``, ``limit``, ``total``,
        ``covered``, ``share``.
    facilities, gaps, isochrones, surfaces, grid, tables
        Facility snapping, gap areas, isochrone bands, travel-time rasters and their grid,
        extra tables (``zones`` for industry, ``roads`` and ``sites`` for charging).
    """

    bundle: Any = None
    kind: str = ""
    #: The circle kind (:class:`~zonekit.analysis.circles.profile.CircleSpec`): its method,
    #: names and titles.
    spec: Any = None
    measure: str = "minutes"
    basemap: str = "none"
    stations: gpd.GeoDataFrame | None = None
    #: The facilities the run used (points, the run's ``category``), drawn on its maps.
    facility_points: gpd.GeoDataFrame | None = None
    #: Processes that may write the files side by side (the run's ``jobs``).
    jobs: int = 1
    #: The forked copy that draws the HTML map when the run is written
    #: (:mod:`zonekit.api.map_standby`), or ``None``: the map is drawn here.
    map_copy: Any = None

    def result_tables(self) -> dict[str, Any]:
        """Return the circle's tables by name: origins, coverage, facilities, gaps, … ."""
        names = ("origins", "coverage", "facilities", "gaps", "isochrones")
        return {n: getattr(self, n) for n in names} | dict(self.tables)

    @property
    def origins(self) -> gpd.GeoDataFrame:  # noqa: D102 - see the class attributes
        return self.bundle.origins

    @property
    def coverage(self) -> pd.DataFrame:  # noqa: D102
        return self.bundle.coverage

    @property
    def facilities(self) -> pd.DataFrame:  # noqa: D102
        return self.bundle.facilities

    @property
    def gaps(self) -> gpd.GeoDataFrame:  # noqa: D102
        return self.bundle.gaps

    @property
    def isochrones(self) -> gpd.GeoDataFrame:  # noqa: D102
        return self.bundle.isochrones

    @property
    def surfaces(self) -> dict[str, Any]:  # noqa: D102
        return self.bundle.surfaces

    @property
    def tables(self) -> dict[str, Any]:  # noqa: D102
        return self.bundle.tables

    def as_run(self) -> dict[str, Any]:
        """Return the run as maps and the report take it (``summary``, ``origins``, ``gaps`` …)."""
        run: dict[str, Any] = {"summary": self.summary, "coverage": self.coverage,
                               "origins": self.origins, "gaps": self.gaps,
                               "isochrones": self.isochrones}
        for name in ("roads", "sites", "zones", "gap_areas"):
            if name in self.tables:
                run[name] = self.tables[name]
        if self.stations is not None:
            run["stations"] = self.stations  # the report's charging map draws them too
        if self.facility_points is not None:
            run["facility_points"] = self.facility_points  # and its service maps these
        run["grids"], run["gap_grids"] = self._band_grids(), self._gap_grids()
        return run

    def _write(self, folder: Path) -> list[str]:
        copy, self.map_copy = self.map_copy, None  # one write only: a second draws here
        if copy is not None:
            return self._write_beside_copy(folder, copy)
        if self.jobs <= 1:
            files = self._write_files(folder)
            return files + self._write_maps(folder)
        from zonekit.parallel import start_method

        if start_method() == "fork":
            return self._write_forked(folder)
        from concurrent.futures import ThreadPoolExecutor

        # Without fork, a worker would unpickle the whole result: a thread writes the files
        # (Arrow's CSV, GDAL, deflate run partly outside the GIL) beside the map.
        with ThreadPoolExecutor(1, thread_name_prefix="zonekit-write") as pool:
            files = pool.submit(self._write_files, folder)
            maps = self._write_maps(folder)
            return files.result() + maps

    def _write_forked(self, folder: Path) -> list[str]:
        """Write the files in a forked copy while this process draws the map, then help it.

        Both hold the GIL most of the time (pyogrio's and folium's Python, JSON), so a
        thread would take turns with the map (write step, medians of interleaved runs: 25k
        walk 1.46 s forked, 1.70 s with a thread; 1M 5.9 s, 8.4 s). The copy inherits the
        result (nothing is pickled: what made an earlier process version slow). The map
        stays here (it may add a note to the summary); when it is done this process takes
        the files the copy has not started (:func:`zonekit.parallel.share_work`).
        """
        from zonekit.api.circle_files import file_writers
        from zonekit.parallel import share_work

        writers = file_writers(self, folder)
        order = sorted(range(len(writers)), key=lambda k: writers[k][0])
        done, maps = share_work([writers[k][1] for k in order],
                                functools.partial(self._write_maps, folder))
        names = dict(zip(order, done, strict=True))
        return [name for k in range(len(writers)) for name in names[k]] + maps

    def _write_beside_copy(self, folder: Path, copy: Any) -> list[str]:
        """Send the map's layers to the warm copy; write the files here while it draws."""
        if not self._sent_to(copy, folder):
            copy.close()
            return self._write_files(folder) + self._write_maps(folder)
        try:
            files = self._write_files(folder)
        except BaseException:
            copy.close()
            raise
        return files + copy.result()

    def _sent_to(self, copy: Any, folder: Path) -> bool:
        """Hand the copy the map's layers; ``False`` when the map is drawn here instead."""
        if not self._draws_map():
            return False
        layers, title = self._map_layers(self.kind)
        try:
            copy.submit(layers, title, folder, *self._map_options())
        except Exception as exc:  # noqa: BLE001 - a layer that does not pickle, a copy gone:
            log.info("the map is drawn here, not by its copy: %s", exc)  # the same page
            return False
        return True

    def _write_files(self, folder: Path) -> list[str]:
        """Write the tables, layers and surfaces one after another; return their names."""
        from zonekit.api.circle_files import file_writers

        return [name for _, write in file_writers(self, folder) for name in write()]

    def _draws_map(self) -> bool:
        """Whether the run has an HTML map (minute runs with origins: the styles are bands)."""
        return self.measure == "minutes" and bool(len(self.origins))

    def _write_maps(self, folder: Path) -> list[str]:
        """Write the run's HTML map here; return its name (none for a metre run)."""
        if not self._draws_map():
            self.summary.setdefault("notes", []).append(
                "no HTML map: the circle maps show minute thresholds (use the GeoPackages)")
            return []
        from zonekit.api.map_standby import draw

        layers, title = self._map_layers(self.kind)
        return draw(self.park, layers, title, folder, *self._map_options())

    def _map_options(self) -> tuple[str, str, bool, str | None]:
        """Return the HTML map's stem, basemap, synthetic flag and attribution."""
        return (f"map_{self.kind}", self.basemap, self.synthetic,
                self.summary.get("attribution"))

    def map_layers(self, kind: str | None = None) -> tuple[list, str]:
        """Layers and title of this circle's map (``kind`` = the circle's, or ``isochrones``).

        The park's roads and water are drawn under them (:func:`zonekit.api.maps.with_park_base`).
        """
        from zonekit.api.maps import with_park_base

        layers, title = self._map_layers(kind)
        return with_park_base(layers, self.park), title

    def _map_layers(self, kind: str | None = None) -> tuple[list, str]:
        from zonekit.maps import circle_maps as cm

        kind = kind or self.kind
        zones = self.park.layers.get("zones") if self.park is not None else None
        if kind == "isochrones":
            return (cm.isochrone_layers(self.isochrones, self._facility_points(), zones,
                                        names=self.bundle.names_zh, grids=self._band_grids()),
                    self.spec.titles(self.park_name)["isochrones"])
        if kind != self.kind:
            raise ZonekitError(f"a {self.kind} circle draws the maps {self.kind} and "
                               f"isochrones, not {kind!r}")
        title = self.spec.titles(self.park_name)["map"]
        if self.spec.proposes_sites:
            return (cm.charging_layers(self.origins, self.tables.get("roads"),
                                       self.tables.get("sites"), self.gaps, self.stations,
                                       zones, gap_grids=self._gap_grids()), title)
        # the run's category names (its profile's), not the shipped profile read again
        return (cm.service_layers(self.origins, self.gaps, self.isochrones, zones,
                                  names=self.bundle.names_zh, grids=self._band_grids(),
                                  gap_grids=self._gap_grids(),
                                  facilities=self.facility_points), title)

    def _gap_grids(self) -> dict[str, Any]:
        """Category → its gap cells (1, else NaN) on the gaps' grid, for the map's images."""
        import numpy as np

        from zonekit.maps.interactive import GridImage

        grid = self.bundle.gap_grid
        if grid is None:
            return {}
        return {cat: GridImage(np.where(mask, np.float32(1), np.float32(np.nan)),
                               grid.transform, grid.crs)
                for cat, mask in self.bundle.gap_masks.items()}

    def _band_grids(self) -> dict[str, Any]:
        """Category → its isochrone bands on the travel-time grid, for the map's images."""
        from zonekit.analysis.circles.bands import band_values
        from zonekit.maps.interactive import GridImage

        iso, grid, unit = self.isochrones, self.bundle.grid, self.measure
        if not len(iso) or unit not in iso:
            return {}
        return {str(cat): GridImage(band_values(self.surfaces[cat], part[unit].unique()),
                                    grid.transform, grid.crs)
                for cat, part in iso.groupby("category", sort=False) if cat in self.surfaces}

    def _facility_points(self) -> gpd.GeoDataFrame | None:
        if self.park is None:
            return None
        return self.park.layers.get("facilities")

    def map(self, kind: str | None = None, basemap: str | None = None) -> folium.Map:
        """Return an interactive map (folium) of the circle, nothing written."""
        from zonekit.api.maps import to_folium

        layers, title = self.map_layers(kind)
        return to_folium(layers, title, basemap or self.basemap, self.synthetic,
                         self.summary.get("attribution"))
