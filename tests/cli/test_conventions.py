"""Command-line conventions: --quiet, --json, plain tables off a terminal, reprs, README.zh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def zones_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """``zonekit zones`` on the sample, plain, with --json and with --quiet."""
    root = tmp_path_factory.mktemp("conv")
    runs = {}
    for name, flags in {"plain": [], "json": ["--json"], "quiet": ["--quiet"]}.items():
        runs[name] = runner.invoke(app, [*flags, "zones", "--out", str(root / name)])
        assert runs[name].exit_code == 0, runs[name].output
    runs["root"] = root
    return runs


def test_json_prints_the_summary_file_and_nothing_else(zones_runs: dict) -> None:
    printed = json.loads(zones_runs["json"].stdout)
    written = json.loads((zones_runs["root"] / "json" / "summary.json").read_text())
    assert printed == written and printed["command"] == "zones"
    assert "Results written" in zones_runs["json"].stderr  # messages stay on stderr


def test_quiet_prints_no_messages_but_the_table(zones_runs: dict) -> None:
    assert zones_runs["plain"].stderr.strip()
    assert zones_runs["quiet"].stderr == ""
    assert "功能分区" in zones_runs["quiet"].stdout


def test_tables_off_a_terminal_are_plain_and_uncut(zones_runs: dict) -> None:
    out = zones_runs["plain"].stdout
    assert not set(out) & set("━│┃─┏┡╇└┘")
    header = next(line for line in out.splitlines() if "zone_id" in line)
    assert "land_output_yi_per_km2" in header and len(header) > 80


def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    done = runner.invoke(app, ["--quiet", "zones", "--zones", str(tmp_path / "none.gpkg"),
                               "--out", str(tmp_path / "o")])
    assert done.exit_code == 2 and "none.gpkg" in done.stderr


def test_park_and_results_have_short_reprs(tmp_path: Path) -> None:
    """A few lines each (the dataclass default printed whole layers)."""
    import zonekit as zk
    from zonekit.api.report import ReportResult

    park = zk.load_park()
    z = zk.measure_zones(park)
    c = zk.circles("charging", park=park)
    rep = ReportResult(html=tmp_path / "report.html", workbook=tmp_path / "report.xlsx",
                       folders={"zones": tmp_path / "zones"}, results=[z])
    for obj, words in ((park, ["SYNTHETIC", "parcels: 811 rows"]),
                       (z, ["ZonesResult (zones", "zones:"]),
                       (c, ["CirclesResult (circles charging", "origins:", "coverage:"]),
                       (rep, ["report.html", "zones:"])):
        text, html = repr(obj), obj._repr_html_()
        assert len(text.splitlines()) <= 12 and len(text) < 1000, text
        assert all(w in text for w in words), text
        assert html.startswith("<div>") and words[0].split(" (")[0] in html


def _command_lines(text: str) -> list[list[str]]:
    """Every ``zonekit …`` command the text shows (code lines and inline code), as words."""
    import re
    import shlex

    found = re.findall(r"(?<!`)`(zonekit [^`]+)`", text)
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        found += re.findall(r"^(zonekit .+?)(?:\s+#.*)?$", block, re.M)
    return [shlex.split(line) for line in found]


def test_chinese_quick_start_shows_only_commands_and_options_that_exist() -> None:
    import typer.main

    root = typer.main.get_command(app)
    text = (Path(__file__).resolve().parents[2] / "README.zh.md").read_text(encoding="utf-8")
    lines = _command_lines(text)
    assert len(lines) > 15
    for words in lines:
        command, options = root, {o for p in root.params for o in p.opts}
        for word in words[1:]:
            if word.startswith("-"):
                assert word in options, f"{' '.join(words)}: no option {word}"
            elif hasattr(command, "commands") and word in command.commands:
                command = command.commands[word]
                options |= {o for p in command.params for o in p.opts}
            else:
                assert not hasattr(command, "commands"), f"{' '.join(words)}: no command {word}"
        alone = (["--version"], ["--install-completion"])  # options of the command itself
        assert command is not root or words[1:] in alone, " ".join(words)
