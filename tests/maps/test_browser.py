"""Browser test: headless Chromium opens each map and the report from disk (basemap ``none``).

Checks that no JavaScript error or failed resource load happens, that the expected layers
are in the layer control with their features drawn, and that a screenshot is not blank.
Needs Debian's ``chromium``; skipped with a message without it (failed under CI, where
``.ci/run`` installs it). The page loads take over a minute, so ``make test`` leaves them to
their own step of ``.ci/run`` (``ZONEKIT_BROWSER_TESTS=1``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
HINT = "install Debian chromium (apt-get install chromium) to run browser tests"

# Injected first in <head> of a copy of the map: records errors (script errors, failed
# resource loads, console.error) and, after load, what Leaflet drew, into the DOM.
PROBE = """<script>
window.__zkErrors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__zkErrors.push(e.message || ('failed to load ' + (t.src || t.href || t.tagName)));
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.__zkErrors.push('unhandled rejection: ' + e.reason);
});
(function () {
  var original = console.error;
  console.error = function () {
    window.__zkErrors.push(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
window.addEventListener('load', function () {
  setTimeout(function () {
    var q = function (s) { return Array.prototype.slice.call(document.querySelectorAll(s)); };
    var report = {
      errors: window.__zkErrors,
      leaflet: typeof L !== 'undefined' && !!L.version,
      layers: q('.leaflet-control-layers-overlays label span span').map(
        function (s) { return s.textContent.trim(); }),
      paths: q('path.leaflet-interactive').length,
      labels: q('.zk-label').map(function (s) { return s.textContent; }),
      legend: (document.getElementById('zk-legend') || {}).textContent || '',
      footer: (document.getElementById('zk-footer') || {}).textContent || '',
      scale: q('.leaflet-control-scale-line').map(function (s) { return s.textContent; })
    };
    // Click the first feature: its popup lists the fields with Chinese names and units.
    var first = document.querySelector('path.leaflet-interactive');
    if (first) {
      var box = first.getBoundingClientRect();
      first.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true,
        clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}));
    }
    setTimeout(function () {
      report.popup = q('.leaflet-popup-content').map(function (s) { return s.textContent; })
        .join(' ');
      var pre = document.createElement('pre');
      pre.id = 'zk-report';
      pre.textContent = JSON.stringify(report);
      document.body.appendChild(pre);
    }, 300);
  }, 300);
});
</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           "--window-size=1200,800", "--virtual-time-budget=5000",
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


#: The browser runs take over a minute: `make test` leaves them to a step of .ci/run.
BROWSER_ENV = "ZONEKIT_BROWSER_TESTS"


@pytest.fixture(scope="module")
def browser() -> str:
    """Path of the Chromium binary (skips, or fails under CI, without one)."""
    if os.environ.get(BROWSER_ENV) != "1":
        pytest.skip(f"browser runs are a step of .ci/run: enable them with {BROWSER_ENV}=1 "
                    f"({HINT})")
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {HINT}")
        pytest.skip(HINT)
    return CHROMIUM


def _write_maps(data: Path, out: Path, synthetic_sample: bool = False) -> dict[str, Path]:
    runner = CliRunner()
    written = {}
    for kind in ("zones", "land-output"):
        args = ["map", kind, "--out", str(out), "--basemap", "none", "--format", "html"]
        if not synthetic_sample:
            args += ["--data", str(data)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        written[kind] = out / f"map_{kind.replace('-', '_')}.html"
    return written


def _open(browser: str, page: Path, tmp: Path) -> tuple[dict, str, Path]:
    """Load an instrumented copy of ``page``: the DOM report, console log and a screenshot."""
    text = page.read_text(encoding="utf-8")
    probe = tmp / f"probe_{page.name}"
    probe.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    dom = _chromium(["--dump-dom", probe.as_uri()], tmp / "profile-dom")
    found = re.search(r'<pre id="zk-report">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"no report from the page; chromium said:\n{dom.stderr[-3000:]}"
    report = json.loads(html.unescape(found.group(1)))
    shot = tmp / f"{page.stem}.png"
    done = _chromium([f"--screenshot={shot}", page.as_uri()], tmp / "profile-shot")
    assert shot.exists(), done.stderr[-3000:]
    return report, dom.stderr, shot


def _console_errors(log: str) -> list[str]:
    lines = [ln for ln in log.splitlines() if "CONSOLE" in ln]
    return [ln for ln in lines if re.search(r"Uncaught|Error|Failed to load", ln)]


def _not_blank(shot: Path) -> tuple[int, float]:
    """Distinct colours and the share of pixels differing from the most common colour."""
    import numpy as np
    from matplotlib import image

    pixels = (image.imread(shot)[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return len(colours), 1.0 - counts.max() / counts.sum()


@pytest.mark.parametrize("kind,layer,legend", [
    ("zones", "功能分区", "核心功能区"), ("land-output", "地均产出", "地均产出（亿元/km²）")],
    ids=["zones", "land-output"])
def test_map_opens_offline_without_errors(browser: str, tiny_park_dir: Path, tmp_path: Path,
                                          kind: str, layer: str, legend: str) -> None:
    page = _write_maps(tiny_park_dir, tmp_path / "maps")[kind]
    report, log, shot = _open(browser, page, tmp_path)
    assert report["errors"] == [], report["errors"]
    assert _console_errors(log) == []
    assert report["leaflet"], "Leaflet did not load (it must be inlined for offline use)"
    assert report["layers"] == [layer]
    assert report["paths"] == 2  # the tiny park's two zones
    assert legend in report["legend"]
    assert report["scale"] and re.search(r"\d+ (m|km)", report["scale"][0])
    assert "高端智造区" in " ".join(report["labels"])
    assert "面积（km²）" in report["popup"] and "名称" in report["popup"], report["popup"]
    colours, drawn = _not_blank(shot)
    assert colours > 20 and drawn > 0.05, (colours, drawn)


def test_sample_maps_open_offline(browser: str, sample_dir: Path, tmp_path: Path) -> None:
    pages = _write_maps(sample_dir, tmp_path / "maps", synthetic_sample=True)
    for kind, page in pages.items():
        report, log, shot = _open(browser, page, tmp_path)
        assert report["errors"] == [] and _console_errors(log) == [], kind
        assert report["paths"] == 6, kind  # three core zones, three municipal blocks
        assert "合成样例" in report["footer"], kind
        assert _not_blank(shot)[1] > 0.05, kind


# --- analysis maps and the report ----------------------------------------------------------

@pytest.mark.parametrize("kind,layers,legend", [
    ("mujun", ["亩均效益等级", "功能分区边界"], ["A类", "D类", "未参评"]),
    ("low-efficiency", ["低效用地", "腾笼换鸟更新方案", "功能分区边界"],
     ["容积率偏低", "多项原因", "腾笼换鸟更新方案地块"])], ids=["mujun", "low-efficiency"])
def test_analysis_map_opens_offline(browser: str, sample_dir: Path, tmp_path: Path, kind: str,
                                    layers: list[str], legend: list[str]) -> None:
    result = CliRunner().invoke(app, ["map", kind, "--out", str(tmp_path / "maps"),
                                      "--basemap", "none"])
    assert result.exit_code == 0, result.output
    page = tmp_path / "maps" / f"map_{kind.replace('-', '_')}.html"
    report, log, shot = _open(browser, page, tmp_path)
    assert report["errors"] == [] and _console_errors(log) == [], report["errors"]
    assert report["leaflet"] and report["layers"] == layers
    import pyogrio

    parcels = pyogrio.read_info(sample_dir / "park.gpkg", layer="parcels")["features"]
    assert report["paths"] > parcels  # every parcel, the zones, the plan
    for text in legend:
        assert text in report["legend"], text
    assert "合成样例" in report["footer"]
    assert report["scale"] and re.search(r"\d+ (m|km)", report["scale"][0])
    assert "高端智造区" in " ".join(report["labels"])
    colours, drawn = _not_blank(shot)
    assert colours > 20 and drawn > 0.05, (colours, drawn)


@pytest.mark.parametrize("kind,first,last,legend", [
    ("service", "可达范围：便利店", ["起点覆盖情况", "服务缺口", "功能分区边界"],
     ["到达时间（分钟）", "已覆盖", "服务缺口"]),
    ("charging", "5分钟充电圈覆盖",
     ["道路覆盖情况", "现有充电站", "建议新建充电站", "功能分区边界"],
     ["未覆盖", "现有充电站", "最大覆盖选址"]),
    ("isochrones", "等时圈：便利店", ["服务设施", "功能分区边界"], ["到达时间（分钟）"]),
], ids=["service", "charging", "isochrones"])
def test_circle_map_opens_offline(browser: str, sample_dir: Path, tmp_path: Path, kind: str,
                                  first: str, last: list[str], legend: list[str]) -> None:
    result = CliRunner().invoke(app, ["map", kind, "--out", str(tmp_path / "maps"),
                                      "--basemap", "none"])
    assert result.exit_code == 0, result.output
    report, log, shot = _open(browser, tmp_path / "maps" / f"map_{kind}.html", tmp_path)
    assert report["errors"] == [] and _console_errors(log) == [], report["errors"]
    assert report["leaflet"] and report["layers"][0] == first
    layers = report["layers"]
    assert layers[-1] == last[-1] and [n for n in layers if n in last] == last  # in order
    if kind == "service":  # each category's gaps of its own, between the gaps and the zones
        assert any(n.startswith("服务缺口：") for n in layers)
    assert report["paths"] >= 7  # the layers switched on: a category's reach, six zones…
    for text in legend:
        assert text in report["legend"], text
    assert "合成样例" in report["footer"] and report["scale"]
    colours, drawn = _not_blank(shot)
    assert colours > 20 and drawn > 0.05, (colours, drawn)


# Injected into the report and, escaped, into each map's srcdoc: the maps' errors are kept
# in their own window, which the report's probe reads (srcdoc frames share its origin).
FRAME_HOOK = """<script>
window.__zkErrors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__zkErrors.push(e.message || ('failed to load ' + (t.src || t.href || t.tagName)));
}, true);
</script>"""

REPORT_PROBE = FRAME_HOOK + """<script>
function box(e) {
  if (!e) { return null; }
  var r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
}
window.addEventListener('load', function () {
  setTimeout(function () {
    var frames = Array.prototype.slice.call(document.querySelectorAll('iframe.zk-map'));
    var report = {errors: window.__zkErrors, title: document.title,
      banner: (document.getElementById('zk-synthetic') || {}).textContent || '',
      sections: Array.prototype.map.call(document.querySelectorAll('section h2'),
                                         function (h) { return h.textContent; }),
      images: Array.prototype.map.call(document.querySelectorAll('img.zk-chart'),
                                       function (i) { return i.naturalWidth; }),
      maps: frames.map(function (f) {
        var w = f.contentWindow, d = f.contentDocument;
        var q = function (s) { return Array.prototype.slice.call(d.querySelectorAll(s)); };
        return {errors: w.__zkErrors || ['no error hook'], leaflet: !!(w.L && w.L.version),
          layers: q('.leaflet-control-layers-overlays label span span').map(
            function (s) { return s.textContent.trim(); }),
          paths: q('path.leaflet-interactive').length,
          footer: (d.getElementById('zk-footer') || {}).textContent || '',
          legend: box(d.getElementById('zk-report-legend')),
          control: box(d.querySelector('.leaflet-control-layers')),
          swatches: q('#zk-report-legend .zk-swatch').map(
            function (s) { return s.getAttribute('data-fill'); }),
          fills: q('path.leaflet-interactive').map(function (p) {
            var fill = p.getAttribute('fill');
            return (p.getAttribute('fill-opacity') === '0' || fill === 'none')
              ? p.getAttribute('stroke') : fill; })};
      })};
    var pre = document.createElement('pre');
    pre.id = 'zk-report';
    pre.textContent = JSON.stringify(report);
    document.body.appendChild(pre);
  }, 500);
});
</script>"""


def test_report_opens_offline(browser: str, sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--basemap", "none"])
    assert result.exit_code == 0, result.output
    page = out / "report.html"
    text = page.read_text(encoding="utf-8")
    hooked = text.replace("&lt;head&gt;", "&lt;head&gt;" + html.escape(FRAME_HOOK, quote=True))
    probe = tmp_path / "probe_report.html"
    probe.write_text(hooked.replace("<head>", "<head>" + REPORT_PROBE, 1), encoding="utf-8")
    dom = _chromium(["--dump-dom", probe.as_uri()], tmp_path / "profile-dom")
    found = re.search(r'<pre id="zk-report">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"no report from the page; chromium said:\n{dom.stderr[-3000:]}"
    report = json.loads(html.unescape(found.group(1)))
    assert report["errors"] == [] and _console_errors(dom.stderr) == []
    assert "合成样例" in report["banner"] and "分析报告" in report["title"]
    assert report["sections"][:3] == ["核心指标与规划目标", "结论与建议",
                                      "规划主要指标（表 1-1）跟踪"]
    assert report["images"] and report["images"][0] > 300  # the chart decoded
    expected = [["功能分区"], ["地均产出"], ["亩均效益等级", "功能分区边界"],
                ["低效用地", "腾笼换鸟更新方案", "功能分区边界"]]
    assert len(report["maps"]) >= len(expected)
    for got, layers in zip(report["maps"], expected, strict=False):
        assert got["errors"] == [] and got["leaflet"], got
        assert got["layers"] == layers and got["paths"] >= 6
        assert "合成样例" in got["footer"]
    for got in report["maps"][len(expected):]:  # the circles maps, when present
        assert got["errors"] == [] and got["leaflet"] and got["layers"], got
    for got in report["maps"]:
        legend, control = got["legend"], got["control"]
        assert legend and control, got["layers"]
        overlap = (legend[0] < control[2] and control[0] < legend[2]
                   and legend[1] < control[3] and control[1] < legend[3])
        assert not overlap, (got["layers"], legend, control)  # the control hides no legend
        # Every colour drawn has its legend swatch (outlines: their stroke colour).
        missing = {c.lower() for c in got["fills"] if c} - {c.lower() for c in got["swatches"]}
        assert not missing, (got["layers"], missing)
    shot = tmp_path / "report.png"
    done = _chromium([f"--screenshot={shot}", "--window-size=1300,6000", page.as_uri()],
                     tmp_path / "profile-shot")
    assert shot.exists(), done.stderr[-3000:]
    colours, drawn = _not_blank(shot)
    assert colours > 20 and drawn > 0.05, (colours, drawn)
