"""QGIS plugin ``zonekit_processing``: the zonekit Processing provider.

QGIS loads this folder as a plugin and calls :func:`classFactory`. The provider never
imports zonekit (QGIS's Python usually lacks geopandas): each algorithm runs the
``zonekit`` command of the environment recorded by ``zonekit qgis install``.
"""


def classFactory(iface):  # noqa: N802 - the name QGIS calls
    """Return the plugin object QGIS asks for."""
    from .plugin import ZonekitPlugin

    return ZonekitPlugin(iface)
