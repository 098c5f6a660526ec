"""One settings object, passed in rather than read from globals deep inside the code."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Settings:
    """Run-wide options shared by the readers and the analyses.

    Parameters
    ----------
    analysis_crs
        Analysis CRS (projected, metres). ``None`` chooses the CGCS2000 3-degree
        Gauss-Krüger zone from the data's longitude (EPSG:4548 for Miyun).
    input_crs
        CRS to assume for input layers that carry none (the user says so with ``--crs``);
        ``None`` makes a missing CRS an error.
    coords
        ``"gcj02"`` or ``"bd09"`` when point/vector inputs come from Amap/Baidu and must be
        converted to WGS84 before projecting; ``None`` for true coordinates.
    encoding
        Text encoding of Shapefile ``.dbf`` files without ``.cpg``; ``None`` detects it.
    year
        Statistics year of the enterprise figures; ``None`` takes the latest year present.
    drop_invalid
        Continue without invalid rows (and report them) instead of stopping.
    """

    analysis_crs: str | None = None
    input_crs: str | None = None
    coords: str | None = None
    encoding: str | None = None
    year: int | None = None
    drop_invalid: bool = False

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
