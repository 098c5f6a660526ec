"""A wrong key or value in a user's ``travel:`` block names the user's file and key.

Before, a typo or a negative speed in a county profile's ``travel.walk`` was reported
against the shipped ``analysis/profiles/travel.yaml (with overrides)``, a file the user
never wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.analysis.circles.profile import load_circles_profile
from zonekit.cli.app import app
from zonekit.errors import ProfileError

runner = CliRunner()


@pytest.mark.parametrize(("block", "key", "found"), [
    ("speeds_kmh: {footway: -4}", "travel.walk.speeds_kmh.footway", "found -4"),
    ("walk_speed: 4", "travel.walk", "unknown key(s) walk_speed"),
    ("default_speed_kmh: -1", "travel.walk.default_speed_kmh", "found -1"),
    ("maxspeed_factor: fast", "travel.walk.maxspeed_factor", "found 'fast'"),
    ("oneway: 3", "travel.walk.oneway", "found 3"),
])
def test_override_errors_name_the_users_file(tmp_path: Path, block: str, key: str,
                                              found: str) -> None:
    path = tmp_path / "county.yaml"
    path.write_text(f"travel:\n  walk:\n    {block}\n", encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_circles_profile(path)
    text = str(err.value)
    assert text.startswith(f"{path}, key '{key}'"), text
    assert found in text and "travel.yaml" not in text


def test_a_shipped_key_is_still_named_against_the_shipped_file(tmp_path: Path) -> None:
    from zonekit.analysis.network.travel import load_travel_profile

    shipped = tmp_path / "travel.yaml"
    shipped.write_text("profiles:\n  walk: {default_speed_kmh: -2, oneway: false}\n",
                       encoding="utf-8")
    with pytest.raises(ProfileError, match=r"travel\.yaml, profile 'walk', key "
                                           r"'default_speed_kmh'"):
        load_travel_profile("walk", shipped, overrides={"maxspeed_factor": 0.7},
                            overrides_source="county.yaml")


def test_cli_names_the_users_profile(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    path.write_text("travel:\n  walk:\n    speeds_kmh: {footway: -4}\n", encoding="utf-8")
    result = runner.invoke(app, ["circles", "--profile", str(path), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert f"{path}, key 'travel.walk.speeds_kmh.footway'" in result.output.replace("\n", "")
    assert not (tmp_path / "o").exists()
