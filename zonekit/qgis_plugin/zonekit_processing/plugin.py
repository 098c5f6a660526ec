"""The plugin object: adds the zonekit provider to the Processing registry."""

from __future__ import annotations

from qgis.core import QgsApplication


class ZonekitPlugin:
    """Register the provider when QGIS initialises Processing, remove it on unload."""

    def __init__(self, iface: object) -> None:
        self.iface = iface
        self.provider = None

    def initProcessing(self) -> None:  # noqa: N802 - QGIS calls it by this name
        """Add the zonekit provider (QGIS calls this before initGui)."""
        from .provider import ZonekitProvider

        if self.provider is not None:  # QGIS calls this, then initGui
            return
        self.provider = ZonekitProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802
        """Nothing but the provider: the algorithms live in the Processing toolbox."""
        self.initProcessing()

    def unload(self) -> None:
        """Remove the provider."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
