"""Every layer file a user gives is checked, used by the command or not (#25 item 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ZONEKIT = Path(sys.executable).with_name("zonekit")
COMMANDS = [["zones"], ["intensity"], ["indicators"], ["circles", "--kind", "service"],
            ["report"], ["map", "zones"], ["check"], ["scale", "partition"]]
LAYERS = ["zones", "parcels", "enterprises", "facilities", "roads"]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_missing_layer_file_stops_every_command(command: list[str], layer: str,
                                                  tmp_path: Path) -> None:
    missing = tmp_path / f"no_such_{layer}.gpkg"
    out = tmp_path / "out"
    where = [] if command == ["check"] else ["--out", str(out)]  # check writes nothing
    done = subprocess.run([str(ZONEKIT), *command, f"--{layer}", str(missing), *where],
                          capture_output=True, text=True, timeout=300)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text[-2000:]
    assert str(missing) in text and "Traceback" not in text
    assert "SYNTHETIC" not in text and not out.exists()  # nothing ran on the sample


@pytest.mark.parametrize("layer", LAYERS)
def test_a_missing_layer_file_stops_the_api(layer: str, tmp_path: Path) -> None:
    import zonekit as zk
    from zonekit.errors import ZonekitError

    missing = tmp_path / f"no_such_{layer}.gpkg"
    with pytest.raises(ZonekitError, match=str(missing)):
        zk.load_park(**{layer: missing})
    with pytest.raises(ZonekitError, match=str(missing)):
        zk.measure_zones(**{layer: missing})
