"""The "zonekit" Processing provider: its algorithms and its one setting (the command path)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider

from .algorithms import ALGORITHMS

SETTING = "ZONEKIT_EXECUTABLE"


def configured_executable() -> str | None:
    """Return the zonekit path set in Processing ▸ Options ▸ Providers, if any."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
    except ImportError:  # Processing plugin absent: only the recorded path and PATH remain
        return None
    return ProcessingConfig.getSetting(SETTING) or None


class ZonekitProvider(QgsProcessingProvider):
    """Algorithms that run the ``zonekit`` command, like the GRASS and SAGA providers."""

    def id(self) -> str:
        """Return the provider id: algorithms are ``zonekit:<name>``."""
        return "zonekit"

    def name(self) -> str:
        """Name in the toolbox."""
        return "zonekit"

    def longName(self) -> str:  # noqa: N802 - QGIS API
        """Name with what it does."""
        return "zonekit 园区用地、亩均与生活圈分析"

    def load(self) -> bool:
        """Add the command-path setting, then the algorithms."""
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:
            ProcessingConfig = None  # noqa: N806 - the class, when Processing is there
        if ProcessingConfig is not None:
            from .runner import recorded_executable

            ProcessingConfig.addSetting(Setting(
                self.name(), SETTING,
                "zonekit 命令路径 zonekit command (empty: the one `zonekit qgis install` recorded)",
                recorded_executable() or "", valuetype=Setting.FILE))
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self) -> None:
        """Remove the setting."""
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
        except ImportError:
            return
        ProcessingConfig.removeSetting(SETTING)

    def loadAlgorithms(self) -> None:  # noqa: N802 - QGIS API
        """Add one instance of each algorithm."""
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
