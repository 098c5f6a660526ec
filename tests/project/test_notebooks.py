"""The notebooks in ``notebooks/`` run top to bottom on the sample park.

Each is executed with nbclient in a kernel started from *this* interpreter (the venv's
Python, where zonekit is installed), whatever ``python3`` kernel Jupyter may know of
elsewhere on the machine. Outputs are not written back: the notebooks stay clean.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 300  # per cell: a guard against a hung kernel, not a speed test


def _kernel_manager():
    """Return a kernel manager whose ``python3`` kernel runs ``sys.executable``."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}"],
                              display_name="zonekit venv", language="python",
                              resource_dir="")

    return KernelManager(kernel_name="python3", kernel_spec_manager=_ThisPython())


def test_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS][:2] == ["01_zones_land_output.ipynb",
                                               "02_low_efficiency_renewal.ipynb"]
    assert len(NOTEBOOKS) == 3, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, sample_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), \
        f"{path.name}: commit notebooks without outputs"
    client = NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                            km=_kernel_manager(), resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "leaflet" in html.lower(), f"{path.name}: no map drawn"
    assert not list(tmp_path.iterdir()) or all(p.suffix != ".ipynb" for p in tmp_path.iterdir())
