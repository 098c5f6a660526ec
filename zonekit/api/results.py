"""What every analysis of the API returns: tables, a ``summary`` dict, ``write`` and maps.

A result holds its tables in memory (GeoDataFrames in the analysis CRS, DataFrames) and a
``summary`` dict with the keys of the ``summary.json`` it writes. ``write(out)`` writes
exactly what the command line writes; maps are drawn from the result, never by running an
analysis again or reading files back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit import __version__
from zonekit.data import SYNTHETIC_NOTE
from zonekit.timings import Timings  # noqa: F401 - the results' timer

if TYPE_CHECKING:
    from zonekit.zones.park import Park


def summary_base(command: str, park: Park | None = None) -> dict[str, Any]:
    """Fields every ``summary.json`` starts with (no timestamps: runs are reproducible)."""
    base: dict[str, Any] = {"command": command, "zonekit_version": __version__}
    if park is None:
        return base
    base.update({
        "crs": park.crs,
        "crs_reason": park.crs_reason,
        "data": "bundled sample" if park.synthetic else park.sources.get("_data"),
        "synthetic": park.synthetic,
        "enterprise_year": park.year,
        "input_notes": [str(p) for p in park.findings.notes],
        "dropped_rows": int(len(park.findings.dropped_table())),
        "mapping": (park.mapping.raw or None) if park.mapping else None,
        "mapping_source": park.mapping.source if park.mapping else None,
    })
    if park.synthetic:
        base["data_note"] = SYNTHETIC_NOTE
    return base


def park_inputs(park: Park | None) -> list[Path]:
    """Return the files and folders ``park`` was read from (never written over)."""
    from zonekit.zones.io import sample_path

    if park is None:
        return []
    paths = [Path(p) for k, p in park.sources.items()
             if not str(p).startswith("(") and Path(p).exists()]
    if park.population_path is not None:
        paths.append(Path(park.population_path))
    return paths + ([sample_path()] if park.synthetic else [])




@dataclass(repr=False)
class Result:
    """Base of every result: the park it was computed on, a summary and step timings."""

    summary: dict[str, Any]
    park: Park | None = field(default=None, repr=False)
    timings: Timings = field(default_factory=Timings, repr=False)

    def result_tables(self) -> dict[str, Any]:
        """Return the result's tables by name (the fields that are DataFrames)."""
        import pandas as pd

        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), pd.DataFrame)}

    def _describe(self) -> tuple[str, list[str]]:
        from zonekit.zones import reprs

        data = "SYNTHETIC sample park" if self.synthetic else "your data"
        what = " ".join(filter(None, [self.summary.get("command"), getattr(self, "kind", "")]))
        lines = reprs.table_sizes(self.result_tables())
        return f"{type(self).__name__} ({what}, {data})", lines

    def __repr__(self) -> str:
        from zonekit.zones import reprs

        return reprs.text(*self._describe())

    def _repr_html_(self) -> str:
        from zonekit.zones import reprs

        return reprs.html(*self._describe())

    @property
    def park_name(self) -> str:
        """Name of the park for titles (a zones column, else 中关村密云园 / 园区)."""
        from zonekit.maps.report_text import park_name_of

        zones = self.park.layers.get("zones") if self.park is not None else None
        return park_name_of(zones, self.synthetic)

    @property
    def synthetic(self) -> bool:
        """Whether the result comes from the bundled synthetic sample."""
        return bool(self.park is not None and self.park.synthetic)

    def static(self, kind: str | None = None, **options: Any) -> Any:
        """Draw map ``kind`` of the result with matplotlib (Chinese labels need a CJK font).

        Returns the ``matplotlib`` Axes; save it with ``ax.figure.savefig("map.pdf")``.
        """
        from zonekit.maps.static import plot_static

        layers, title = (self.map_layers(**options) if kind is None
                         else self.map_layers(kind, **options))
        return plot_static(layers, title=title, synthetic=self.synthetic)

    def write(self, out: Path | str, force: bool = False) -> list[str]:
        """Write the result's files into the folder ``out``, as the command line does.

        The files go to a staging folder beside ``out``, swapped in when all are written
        (:func:`zonekit.zones.output.run_folder`): ``out`` holds the earlier run or this
        one, never a mix; it may not be, contain or lie inside an input; a second run into
        the same ``out`` at the same time is refused.

        Returns
        -------
        list of str
            The names of the files written, ``summary.json`` last.
        """
        from zonekit.zones.output import run_folder

        with run_folder(out, force, self.inputs()) as folder:
            return self.write_into(folder)

    def inputs(self) -> list[Path]:
        """Return the files and folders this result was read from (never written over)."""
        return park_inputs(self.park)

    def write_into(self, folder: Path) -> list[str]:
        """Write the files into ``folder`` as it is (no staging; see :meth:`write`)."""
        from zonekit.zones.io import write_csv, write_json

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with self.timings.step("write"):
            files = self._write(folder)
            dropped = self.park.findings.dropped_table() if self.park is not None else None
            if dropped is not None and len(dropped):
                write_csv(dropped, folder / "dropped.csv")
                files.append("dropped.csv")
        self.summary["outputs"] = [*files, "summary.json"]
        self.summary["timings_s"] = dict(self.timings.seconds)
        write_json(self.summary, folder / "summary.json")
        return self.summary["outputs"]

    def _write(self, folder: Path) -> list[str]:
        raise NotImplementedError
