"""zonekit's messages said in QGIS's terms: the dialog's parameters and the user's layers.

Pure Python (no ``qgis`` import), tested without QGIS. zonekit's messages name its command
line options (``--facilities FILE``, ``--crs EPSG:4548``) or, in ``summary.json``, its API
parameters (``crs='EPSG:4548'``, ``minutes=N``), and the temporary copies the provider
wrote (``/tmp/processing_…/facilities.gpkg``). :class:`Terms` knows which parameter and
which layer each of them stands for in the run and rewrites the message.
"""

from __future__ import annotations

import re

#: What options the dialog does not offer mean in QGIS.
NOT_IN_DIALOG = {
    "--crs": "the layer's CRS (Layer ▸ Set CRS 设置图层坐标参考系)",
    "--data": "the input layers (输入图层)",
    "--drop-invalid": "leaving out invalid features (not offered here: fix them, e.g. with "
                      "Fix geometries 修复几何图形, or deselect them)",
    "--encoding": "the layer's encoding (Layer Properties ▸ Source 数据源编码)",
    "--coords": "a conversion first (zonekit ▸ 坐标转换 GCJ-02/BD-09 → WGS84)",
    "--analysis-crs": "the analysis CRS (chosen by zonekit from the data)",
    "--force": "覆盖文件夹中已有的结果 Overwrite earlier results",
    "--out": "输出文件夹 Output",
}
#: Values the command line shows after an option, where the user gives a layer or number.
_METAVAR = r"(?: (?:FILE|PATH|N|K|TEXT|DIR|CODE|COLUMN|NAME)\b)?"
_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)" + _METAVAR)
_API = re.compile(r"(?<![\w-])([a-z][a-z0-9_]*)=(True\b|'[^']*'|\"[^\"]*\"|[A-Z]+\b)?")


class Terms:
    """The run's options and temporary files, and what the user calls them.

    Parameters
    ----------
    options
        Command-line option (``--roads``) → the parameter's display name in the dialog.
    """

    def __init__(self, options: dict[str, str] | None = None) -> None:
        self.options = dict(options or {})
        self.files: dict[str, str] = {}
        self.folders: list[str] = []

    def file(self, path: str, label: str) -> None:
        """Say ``label`` (layer and parameter) wherever a message names ``path``."""
        self.files[str(path)] = label

    def folder(self, path: str) -> None:
        """Shorten any path inside the temporary folder ``path`` left in a message."""
        self.folders.append(str(path).rstrip("/"))

    def _option(self, flag: str) -> str:
        if flag in self.options:
            return f"「{self.options[flag]}」"
        if flag in NOT_IN_DIALOG:
            return NOT_IN_DIALOG[flag]
        return f"zonekit's setting {flag[2:]} (not in this dialog)"

    def say(self, message: str) -> str:
        """Return ``message`` with options, API parameters and temporary paths replaced.

        Examples
        --------
        >>> t = Terms({"--facilities": "设施 Facilities"})
        >>> t.file("/tmp/w/data/facilities.gpkg", "layer 'pois' (设施 Facilities)")
        >>> t.say("/tmp/w/data/facilities.gpkg: no rows. Pass --facilities FILE")
        "layer 'pois' (设施 Facilities): no rows. Pass 「设施 Facilities」"
        >>> t.say("no CRS: pass crs='EPSG:4548'")
        "no CRS: pass the layer's CRS (Layer ▸ Set CRS 设置图层坐标参考系)"
        """
        for path in sorted(self.files, key=len, reverse=True):
            message = re.sub(re.escape(path) + r"(?:\|layername=\w+|:\w+(?![/\\]))?",
                             self.files[path].replace("\\", "\\\\"), message)
        for folder in self.folders:
            message = re.sub(re.escape(folder) + r"[/\\]?[^\s,;:'\")]*", "(temporary copy)",
                             message)
        message = _API.sub(self._api, message)
        return _OPTION.sub(lambda m: self._option(m.group(1)), message)

    def _api(self, match: re.Match) -> str:
        flag = "--" + match.group(1).replace("_", "-")
        if flag not in self.options and flag not in NOT_IN_DIALOG:
            return match.group(0)  # not a parameter zonekit names: leave the text as it is
        value = (match.group(2) or "").strip("'\"")
        if flag in self.options and value and value != "True" and not value.isupper():
            return f"{self._option(flag)} = {value}"
        return self._option(flag)


__all__ = ["NOT_IN_DIALOG", "Terms"]
