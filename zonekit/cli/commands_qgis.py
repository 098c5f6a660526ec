"""``zonekit qgis install`` / ``uninstall``: the zonekit Processing provider in QGIS.

The provider (``zonekit/qgis_plugin/zonekit_processing``, shipped as package data) is
copied into a QGIS profile's plugin folder with the path of this environment's ``zonekit``
command, which it runs for every algorithm: QGIS's own Python needs no geopandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zonekit.cli import _common as c

ORDER = 80  # after the analyses and the report, before `demo`
PLUGIN = "zonekit_processing"
EXECUTABLE_FILE = "zonekit_executable.txt"  # read by the plugin's runner.py
KINDS_FILE = "circle_kinds.json"  # read by the plugin's algorithms.py

ProfileOpt = Annotated[str, typer.Option("--profile", help="QGIS user profile.")]
CirclesProfileOpt = Annotated[Path | None, typer.Option(
    "--circles-profile", help="A county's circles profile (YAML): its circle kinds become "
    "algorithms too, and every circle algorithm runs with it.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--qgis-config-dir", help="QGIS settings folder holding profiles/ (default: the "
    "platform's, e.g. ~/.local/share/QGIS/QGIS3 on Linux).")]

qgis_app = typer.Typer(help="Install the zonekit Processing provider into QGIS.",
                       no_args_is_help=True)


def default_config_dir() -> Path:
    """Return QGIS 3's settings folder on this platform (the one holding ``profiles/``)."""
    import os
    import sys

    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "QGIS/QGIS3"
    if sys.platform == "darwin":
        return Path.home() / "Library/Application Support/QGIS/QGIS3"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "QGIS/QGIS3"


def plugins_dir(profile: str, config_dir: Path | None) -> Path:
    """Return the profile's Python plugin folder."""
    from zonekit.errors import ZonekitError

    if not profile or any(ch in profile for ch in "/\\") or profile in (".", ".."):
        raise ZonekitError(f"--profile must be a QGIS profile name, got {profile!r}")
    return Path(config_dir or default_config_dir()) / "profiles" / profile / "python" / "plugins"


def plugin_source() -> Path:
    """Return the plugin folder shipped inside the zonekit package."""
    from importlib.resources import files

    return Path(str(files("zonekit") / "qgis_plugin" / PLUGIN))


def zonekit_executable() -> Path | None:
    """Return the ``zonekit`` command beside the running Python, or the one on PATH."""
    import shutil
    import sys

    folder = Path(sys.executable).parent
    for name in ("zonekit", "zonekit.exe"):
        if (folder / name).is_file():
            return folder / name
    found = shutil.which("zonekit")
    return Path(found) if found else None


def _enable(config_dir: Path, profile: str) -> Path:
    """Switch the plugin on in the profile's QGIS3.ini (QGIS reads it at start)."""
    ini = Path(config_dir) / "profiles" / profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    lines = ini.read_text(encoding="utf-8").splitlines() if ini.exists() else []
    key = f"{PLUGIN}=true"
    if key in lines:
        return ini
    lines = [line for line in lines if not line.startswith(f"{PLUGIN}=")]
    if "[PythonPlugins]" in lines:
        lines.insert(lines.index("[PythonPlugins]") + 1, key)
    else:
        lines += (["", "[PythonPlugins]", key] if lines else ["[PythonPlugins]", key])
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


@qgis_app.command("install")
def install(profile: ProfileOpt = "default", qgis_config_dir: ConfigOpt = None,
            circles_profile: CirclesProfileOpt = None) -> None:
    """Copy the provider into the QGIS profile and record this environment's zonekit."""
    import shutil

    from zonekit.errors import ZonekitError

    kinds = circle_kinds_record(circles_profile)  # a bad profile fails before anything is copied
    exe = zonekit_executable()
    if exe is None:
        raise ZonekitError("cannot find the zonekit command of this environment (beside "
                           "the Python running zonekit, or on PATH); install zonekit first")
    config = Path(qgis_config_dir or default_config_dir())
    target = plugins_dir(profile, config) / PLUGIN
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    shutil.copytree(plugin_source(), target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", EXECUTABLE_FILE,
                                                  KINDS_FILE))
    (target / EXECUTABLE_FILE).write_text(f"{exe}\n", encoding="utf-8")
    (target / KINDS_FILE).write_text(kinds, encoding="utf-8")
    ini = _enable(config, profile)
    c.info(f"zonekit Processing provider installed in {target}")
    c.info(f"it runs {exe}; enabled in {ini}")
    c.info("Restart QGIS: the algorithms are in Processing ▸ Toolbox ▸ zonekit "
           "(if QGIS was running, enable 'zonekit' in Plugins ▸ Manage and Install Plugins).")


def circle_kinds_record(circles_profile: Path | None) -> str:
    """Return the circle kinds the plugin lists, as JSON (from zonekit's registry)."""
    import json

    from zonekit.analysis.circles.registry import circle_kinds
    from zonekit.travel_modes import MODES, NAMES_ZH

    kinds = [{"kind": k, "name_zh": s.name_zh, "title_zh": s.title_zh or s.name_zh,
              "mode": s.mode, "proposes_sites": s.proposes_sites,
              "categories_from_data": s.categories_from_data,
              "categories": [{"id": c.id, "name_zh": c.name_zh, "minutes": c.minutes}
                             for c in s.categories]}
             for k, s in circle_kinds(circles_profile).items()]
    modes = [{"mode": m, "name_zh": NAMES_ZH[m]} for m in MODES]
    profile = str(Path(circles_profile).resolve()) if circles_profile else None
    return json.dumps({"kinds": kinds, "modes": modes, "profile": profile},
                      ensure_ascii=False, indent=1)


@qgis_app.command("uninstall")
def uninstall(profile: ProfileOpt = "default", qgis_config_dir: ConfigOpt = None) -> None:
    """Remove the provider from the QGIS profile."""
    import shutil

    target = plugins_dir(profile, qgis_config_dir) / PLUGIN
    if not (target.exists() or target.is_symlink()):
        c.info(f"nothing to remove: {target} does not exist")
        return
    if target.is_symlink() or target.is_file():
        target.unlink()
    else:
        shutil.rmtree(target)
    c.info(f"zonekit Processing provider removed from {target}")


def register(app: typer.Typer) -> None:
    """Add ``zonekit qgis …`` to the app."""
    app.add_typer(qgis_app, name="qgis", rich_help_panel="Outputs")
