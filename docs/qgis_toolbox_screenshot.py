"""Render the Processing toolbox with the zonekit provider to docs/qgis_toolbox.png.

Run in the system Python that has PyQGIS, offscreen, after ``zonekit qgis install``::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 docs/qgis_toolbox_screenshot.py PLUGINS_DIR

``PLUGINS_DIR`` is the profile's plugin folder ``zonekit qgis install`` printed.
"""

import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import QgsApplication  # noqa: E402 - after sys.path
from qgis.gui import QgsProcessingToolboxProxyModel, QgsProcessingToolboxTreeView  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402

app = QgsApplication([], True)
app.initQgis()
from zonekit_processing.provider import ZonekitProvider  # noqa: E402

provider = ZonekitProvider()  # keep a reference: the registry does not keep the Python object
QgsApplication.processingRegistry().addProvider(provider)
view = QgsProcessingToolboxTreeView(None, QgsApplication.processingRegistry())
view.setFilters(QgsProcessingToolboxProxyModel.FilterToolbox)
view.show()
view.expandAll()
view.setHeaderHidden(True)
view.resize(QSize(440, 352))
out = Path(__file__).with_name("qgis_toolbox.png")
view.grab().save(str(out), "PNG")
print(out, out.stat().st_size, "bytes")
app.exitQgis()
