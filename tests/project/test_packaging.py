"""What the wheel needs, checked without building it (``.ci/wheel`` builds and runs it)."""

from __future__ import annotations

import ast
import fnmatch
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: Modules that run only with an extra installed, and the extra (they say so when it is absent).
EXTRA_MODULES = {"scale": ("analysis/scale/",),
                 "cloud": ("zones/storage.py",)}
#: The QGIS plugin is imported by QGIS's own Python, which has ``qgis`` and ``processing``.
QGIS_PLUGIN = "zonekit/qgis_plugin/"


def _folder(package: str) -> Path:
    """The source folder of ``package`` by ``package-dir`` (longest mapped prefix)."""
    dirs = SETUPTOOLS["package-dir"]
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in dirs:
            return ROOT / dirs[prefix] / Path(*parts[n:])
    raise AssertionError(f"{package} has no package-dir")


def _sources() -> list[Path]:
    return sorted({f for p in SETUPTOOLS["packages"] for f in _folder(p).glob("*.py")})


def _name(req: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]).lower()


def test_every_file_of_the_package_folders_is_shipped() -> None:
    missing = []
    for package in SETUPTOOLS["packages"]:
        patterns = SETUPTOOLS["package-data"].get(package, [])
        for f in _folder(package).iterdir():
            if f.is_file() and f.suffix not in (".py", ".pyc") and not any(
                    fnmatch.fnmatch(f.name, p) for p in patterns):
                missing.append(str(f.relative_to(ROOT)))
    assert not missing, f"files not matched by [tool.setuptools.package-data]: {missing}"


def test_every_folder_with_files_is_a_listed_package() -> None:
    """A folder of files that is not in ``packages`` is not shipped ("would be ignored")."""
    listed = {_folder(p).resolve() for p in SETUPTOOLS["packages"]}
    roots = {ROOT / d for d in SETUPTOOLS["package-dir"].values()}
    unlisted = sorted(str(d.relative_to(ROOT)) for r in roots for d in r.rglob("*")
                      if d.is_dir() and d.resolve() not in listed and d.name != "__pycache__"
                      and any(f.is_file() and not f.name.endswith(".pyc") for f in d.iterdir()))
    assert not unlisted, f"folders not in [tool.setuptools] packages: {unlisted}"


def test_every_third_party_import_is_a_declared_dependency() -> None:
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {k: {_name(r) for r in v}
              for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    dists = packages_distributions()
    undeclared = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(QGIS_PLUGIN):
            continue
        allowed = declared.union(*(extras[e] for e, dirs in EXTRA_MODULES.items()
                                   if rel.startswith(dirs)))
        for top in _imports(path):
            names = {_name(d) for d in dists.get(top, [top])}
            if not names & allowed:
                undeclared.append(f"{rel}: {top}")
    assert not undeclared, f"imports of undeclared distributions: {undeclared}"


def _imports(path: Path) -> set[str]:
    """Top-level names of the absolute imports of a module (lazy ones too), less stdlib."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "zonekit"}


def test_license_file_and_spdx_license() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_classifiers_name_the_tested_pythons() -> None:
    wheel_script = (ROOT / ".ci" / "wheel").read_text(encoding="utf-8")
    tested = re.search(r'VERSIONS = \(([^)]*)\)', wheel_script).group(1)
    versions = re.findall(r'"(3\.\d+)"', tested)
    classifiers = PYPROJECT["project"]["classifiers"]
    assert [c.rsplit(" ", 1)[1] for c in classifiers
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)] == versions
    assert PYPROJECT["project"]["requires-python"] == f">={versions[0]}"
