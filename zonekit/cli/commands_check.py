"""``zonekit check`` and ``zonekit schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c

ORDER = 5  # data commands first in `zonekit --help`


@c.reads_data()
def check(options: Any) -> None:
    """Check every layer a run would read (files, columns, units, codes, CRS, joins)."""
    from zonekit.zones.check import check_data

    files = {k: v for k, v in options.layers.items() if v is not None}
    report = check_data(options.data, settings=options, mapping=options.mapping,
                        overrides=files or None)
    for line in report.lines():
        typer.echo(c.to_flags(line))  # library words (data=) as this command's options
    if not report.ok:
        raise typer.Exit(2)


def schema(
    files: Annotated[list[Path] | None, typer.Argument(
        help="Your files (vector layers, CSV, Excel): a mapping template is written for them.")]
    = None,
    template: Annotated[Path | None, typer.Option(
        help="Where to write the mapping template (default: print it).")] = None,
) -> None:
    """Print the layer model, or write a mapping template for your own files."""
    from zonekit.zones.template import mapping_template, schema_text

    if not files:
        typer.echo(schema_text())
        return
    columns = {path: _columns(path) for path in files}
    text = mapping_template(columns)
    if template is None:
        typer.echo(text)
    else:
        from zonekit.zones.io import atomic_path

        with atomic_path(template) as tmp:
            tmp.write_text(text, encoding="utf-8")
        c.info(f"mapping template written to {template}")


def _columns(path: Path) -> list[str]:
    from zonekit.zones.sources import choose_layer, split_layer
    from zonekit.zones.tables import TABLE_SUFFIXES, read_table

    if split_layer(path)[0].suffix.lower() in TABLE_SUFFIXES:
        return list(read_table(path, allow_empty=True).columns)
    import pyogrio

    from zonekit.errors import DataFileError

    target, layer = choose_layer(*split_layer(path), None)
    try:
        return list(pyogrio.read_info(target, layer=layer)["fields"])
    except Exception as exc:  # GDAL raises several types; name the file
        raise DataFileError(f"{path}: cannot read ({exc})") from exc


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("check", rich_help_panel="Data")(check)
    app.command("schema", rich_help_panel="Data")(schema)
