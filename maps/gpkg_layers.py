"""A map's layers as one styled GeoPackage: layers named after what they hold, marked synthetic.

:func:`write_map_gpkg` is what ``zonekit map`` (``write_map``) can call instead of naming
layers ``map_service_2`` …: each layer is named from its style and content
(``coverage_pharmacy``, ``gaps``, ``sites``, ``zone_outline``), written as GeoPackage 1.2
(QGIS 3.22 opens it without the "partially supported" warning) and, for the synthetic
sample only, described as synthetic in ``gpkg_contents.description`` and the GDAL layer
metadata (``zonekit_synthetic=true``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from zonekit.maps.legend import Drawn

SYNTHETIC_DESCRIPTION = "SYNTHETIC 合成样例数据，并非真实企业、地块或道路"
#: Style names whose layers hold one category each: the prefix of their layer names.
PER_CATEGORY_PREFIX = {"minutes": "coverage"}


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_").lower() or "layer"


def layer_names(layers: Sequence[Drawn]) -> list[str]:
    """Name each layer after what it holds, unique within the GeoPackage.

    Layers of one category (a ``category`` column with one value) are named
    ``<prefix>_<category>``; the others after their style (``gaps``, ``sites`` …).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from zonekit.maps.style import StyleSpec
    >>> from types import SimpleNamespace as L
    >>> g = gpd.GeoDataFrame({"category": ["pharmacy"]}, geometry=[Point(0, 0)], crs=3857)
    >>> s = StyleSpec("minutes", "到达时间")
    >>> layer_names([L(spec=s, gdf=g), L(spec=StyleSpec("gaps", "缺口"), gdf=g)])
    ['coverage_pharmacy', 'gaps']
    """
    names: list[str] = []
    for layer in layers:
        spec, gdf = layer.spec, layer.gdf
        cats = gdf["category"].dropna().unique() if "category" in gdf else []
        if len(cats) == 1 and spec.name in PER_CATEGORY_PREFIX:
            base = f"{PER_CATEGORY_PREFIX[spec.name]}_{_slug(str(cats[0]))}"
        else:
            base = _slug(spec.name)
        name, i = base, 2
        while name in names:
            name, i = f"{base}_{i}", i + 1
        names.append(name)
    return names


def write_map_gpkg(layers: Sequence[Drawn], path: Path | str, synthetic: bool = False) -> Path:
    """Write the layers to one GeoPackage 1.2, each with its QGIS default style.

    Parameters
    ----------
    layers
        The map's layers (``MapLayer``), bottom first.
    path
        The ``.gpkg`` file, written atomically (replaced if it exists).
    synthetic
        Mark every layer as synthetic sample data (description and metadata).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import pyogrio

    from zonekit.maps.base_layers import split_base
    from zonekit.maps.qgis_style import add_style_to_gpkg
    from zonekit.zones.io import atomic_path

    path = Path(path)
    layers = split_base(list(layers))[1]  # the base is the user's own roads and water
    names = layer_names(layers)
    with atomic_path(path) as tmp:
        for name, layer in zip(names, layers, strict=True):
            options = {"DESCRIPTION": f"{layer.title}；{SYNTHETIC_DESCRIPTION}"
                       if synthetic else layer.title}
            meta = {"zonekit_synthetic": "true"} if synthetic else None
            pyogrio.write_dataframe(layer.gdf, tmp, layer=name, driver="GPKG", append=False,
                                    dataset_options={"VERSION": "1.2"},
                                    layer_options=options, layer_metadata=meta)
        for name, layer in zip(names, layers, strict=True):
            add_style_to_gpkg(tmp, name, layer.spec)
    return path


__all__ = ["layer_names", "write_map_gpkg"]
