"""One object saying which data to read and how, passed in rather than read from globals.

:class:`DataOptions` is what the readers (:mod:`zonekit.zones`) and every analysis of the
API take; :mod:`zonekit.api.data` re-exports it as the API's ``zk.DataOptions``. It lives
here, below both, because the layer model may not import the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DataOptions:
    """Everything that says which data to read and how: one object for every analysis.

    Parameters
    ----------
    data
        A GeoPackage or folder of layer files; ``None`` with no layer given: the bundled
        synthetic sample.
    layers
        Layer name → file or GeoDataFrame, replacing (or, without ``data``, being) the data.
    mapping
        A mapping YAML (path or shipped name: ``sandiao``, ``osmnx``) from the user's field
        names and units onto the layer model.
    crs
        CRS of inputs that carry none (never guessed); ``None`` makes a missing CRS an error.
    analysis_crs
        Projected CRS to compute in; default: chosen from the data (GK in China, UTM elsewhere).
    coords
        ``"gcj02"`` or ``"bd09"`` (any spelling :func:`zonekit.zones.coords.normalise_source`
        accepts, stored normalised): inputs are Amap/Baidu coordinates, converted on reading.
    encoding
        Encoding of Shapefile ``.dbf`` files without ``.cpg``; default: detected.
    data_year
        Statistics year of the enterprise figures; default: the latest in the data.
    drop_invalid
        Continue without invalid rows (listed in the result) instead of stopping.

    Raises
    ------
    zonekit.errors.ZonekitError
        ``coords`` is not a known coordinate source.
    """

    data: str | Path | None = None
    layers: dict[str, Any] = field(default_factory=dict)
    mapping: str | Path | None = None
    crs: str | None = None
    analysis_crs: str | None = None
    coords: str | None = None
    encoding: str | None = None
    data_year: int | None = None
    drop_invalid: bool = False

    def __post_init__(self) -> None:
        if self.coords is not None:
            from zonekit.errors import ZonekitError
            from zonekit.zones.coords import normalise_source

            try:
                coords = normalise_source(self.coords)
            except ValueError as exc:
                raise ZonekitError(f"coords= {exc}") from None
            object.__setattr__(self, "coords", coords)

    @property
    def given(self) -> bool:
        """Whether the caller gave any data (then the sample is never read)."""
        return self.data is not None or any(v is not None for v in self.layers.values())

    def inputs(self) -> list[Path]:
        """Every input path (for refusing an output folder that would overwrite one)."""
        from zonekit.zones.sources import split_layer

        paths = [Path(self.data)] if self.data is not None else []
        paths += [split_layer(v)[0] for v in self.layers.values() if isinstance(v, (str, Path))]
        if isinstance(self.mapping, (str, Path)) and Path(self.mapping).suffix:
            paths.append(Path(self.mapping))
        return paths
