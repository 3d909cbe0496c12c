"""Real-browser tests of ``chainrule serve`` in headless Chromium (the system's browser, driven by Playwright).

Skipped only when Playwright or a ``chromium`` executable is missing. Screenshots go to a temporary folder
(``CHAINRULE_SCREENSHOTS`` names another one to keep them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import running, train

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright "
                               "(pip install playwright)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="the browser tests need chromium on PATH "
                                 "(apt-get install chromium)"), pytest.mark.slow]


@pytest.fixture(scope="module")
def shots() -> Path:
    """The folder the screenshots go to."""
    folder = os.environ.get("CHAINRULE_SCREENSHOTS") or tempfile.mkdtemp(prefix="chainrule-serve-shots-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (laptop-sized) that records console errors; the test fails if there are any."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()
    assert errors == [], errors


def wait_for(cond: Any, timeout: float = 60, what: Any = "") -> Any:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what or cond}")


def test_runs_pages_update_live(page: Any, tmp_path: Path, shots: Path) -> None:
    root = tmp_path / "runs"
    train(root / "first", "--epochs", "4")
    with running(root) as s:
        base = f"http://127.0.0.1:{s.port}"
        page.goto(base + "/runs")
        page.wait_for_selector('tr[data-run="first"]')
        assert page.inner_text('tr[data-run="first"] .epochs') == "4 / 4"
        assert "done" in page.inner_text('tr[data-run="first"]')
        page.wait_for_selector("#live.on")
        page.evaluate("window.__noReload = 1")
        proc = subprocess.Popen([sys.executable, "-m", "chainrule", "train", "--dataset", "digits", "--hidden",
                                 "256,256", "--batch-size", "4", "--epochs", "5", "--threads", "1", "--quiet",
                                 "--out", str(root / "second")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen = set()
        try:
            def done() -> bool:
                if page.query_selector('tr[data-run="second"]') is not None:
                    seen.add(page.inner_text('tr[data-run="second"] .epochs'))
                    return "done" in page.inner_text('tr[data-run="second"]')
                return False
            wait_for(done, 180, "the second run to finish on the page")
        finally:
            proc.wait(180)
        assert proc.returncode == 0
        # the row read after "done" showed up: its epoch count may have been read just before the last update
        wait_for(lambda: page.inner_text('tr[data-run="second"] .epochs') == "5 / 5", 20, "the final epoch count")
        seen.add(page.inner_text('tr[data-run="second"] .epochs'))
        page.screenshot(path=str(shots / "runs-list.png"))
        assert page.evaluate("window.__noReload") == 1  # updated in place
        assert "5 / 5" in seen and seen & {f"{k} / 5" for k in range(1, 5)}, seen  # epochs as they came
        # the run page: curves, confusion matrix, pictures, report and config
        page.click('a[href="/runs/first"]')
        page.wait_for_selector('canvas[data-chart="loss"]')
        page.wait_for_selector("table.confusion")
        assert page.query_selector('img[alt="network.svg"]') and page.query_selector('img[alt="graph.svg"]')
        wait_for(lambda: page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)"), 20,
                 "the pictures to load")
        assert "chainrule run report" in page.inner_text("main")
        assert {"loss", "accuracy", "learning rate"} <= set(page.eval_on_selector_all("canvas.chart",
                                                                                        "cs => cs.map(c => c.dataset.chart)"))
        page.screenshot(path=str(shots / "run-page.png"), full_page=True)
        # two runs overlaid
        page.goto(base + "/runs")
        page.wait_for_selector('tr[data-run="second"]')
        page.check('tr[data-run="first"] input')
        page.check('tr[data-run="second"] input')
        page.click("text=Compare selected")
        page.wait_for_selector("text=Comparing 2 runs")
        page.wait_for_selector('canvas[data-chart="loss"]')
        page.screenshot(path=str(shots / "compare.png"), full_page=True)


def _step(page: Any) -> int:
    return int(page.inner_text("#stat-step"))


def _acc(page: Any) -> float:
    text = page.inner_text("#acc")
    return float(text.rstrip("%")) / 100 if re.fullmatch(r"[\d.]+%", text) else 0.0


def test_playground(page: Any, tmp_path: Path, shots: Path) -> None:
    with running(tmp_path) as s:
        page.goto(f"http://127.0.0.1:{s.port}/play")
        page.wait_for_selector("body[data-play]")
        page.screenshot(path=str(shots / "playground-start.png"))
        page.click("#play")
        acc = wait_for(lambda: _acc(page) >= 0.95 and _acc(page), 120, "95% test accuracy on the page")
        assert acc >= 0.95
        page.screenshot(path=str(shots / "playground-trained.png"))
        # pause: the step counter stops
        page.click("#play")
        wait_for(lambda: "Play" in page.inner_text("#play"), 10, "the pause")
        time.sleep(0.4)
        paused = _step(page)
        time.sleep(0.6)
        assert _step(page) == paused
        # step: one update of steps_per_tick mini-batches
        page.click("#step")
        wait_for(lambda: _step(page) == paused + 4, 10, "one step")
        # the gradient toggle changes the picture of the network
        weights = page.evaluate("document.getElementById('net').toDataURL()")
        page.check("#grad-toggle")
        assert "∂L/∂w" in page.inner_text("#net-legend")
        grads = page.evaluate("document.getElementById('net').toDataURL()")
        assert grads != weights
        page.screenshot(path=str(shots / "playground-gradients.png"))
        page.uncheck("#grad-toggle")
        assert page.evaluate("document.getElementById('net').toDataURL()") == weights
        # export: a checkpoint that `chainrule evaluate` accepts, with the accuracy the page shows
        shown = _acc(page)
        with page.expect_download() as dl:
            page.click("#export-checkpoint")
        run = tmp_path / "exported"
        run.mkdir()
        dl.value.save_as(run / "checkpoint.safetensors")
        p = subprocess.run([sys.executable, "-m", "chainrule", "evaluate", str(run)], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        got = float(p.stdout.split("accuracy")[1].split("%")[0].split()[-1]) / 100
        assert abs(got - shown) <= 0.006, (got, shown, p.stdout)
        # reset: back to step 0, the settings kept
        page.click("#reset")
        wait_for(lambda: _step(page) == 0, 10, "the reset")
        # a setting the server refuses is shown on the page, and the model stays usable
        page.fill("#set-hidden", "64")
        page.dispatch_event("#set-hidden", "change")
        page.wait_for_selector("#error:not([hidden])")
        assert "too large" in page.inner_text("#error")
        assert page.input_value("#set-hidden") == "8,8"  # back to the model's settings
        # the browser logs the refused request (status 400) itself; that one is expected
        assert page.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
        page.errors.clear()
        page.screenshot(path=str(shots / "playground-error.png"))
        page.fill("#set-hidden", "6")
        page.dispatch_event("#set-hidden", "change")
        wait_for(lambda: page.is_hidden("#error"), 10, "the error to clear")
        page.select_option("#set-dataset", "spirals")
        wait_for(lambda: page.evaluate("Play.data && Play.data.classes") == 3, 10, "the spirals")
        # custom: the current points become the user's; a click adds one of class 0, shift-click one of class 1
        page.select_option("#set-dataset", "custom")
        wait_for(lambda: page.evaluate("Play.data.params.dataset") == "custom", 10, "the custom dataset")
        n = page.evaluate("Play.data.train.length + Play.data.test.length")
        page.click("#boundary", position={"x": 20, "y": 20})
        wait_for(lambda: page.evaluate("Play.data.train.length + Play.data.test.length") == n + 1, 10,
                 lambda: f"a new point: {n} before, {page.evaluate('Play.data.train.length + Play.data.test.length')} "
                 f"now; {page.inner_text('#error')!r}")
        assert page.evaluate("Play.points[Play.points.length - 1][2]") == 0
        page.click("#boundary", position={"x": 40, "y": 20}, modifiers=["Shift"])
        wait_for(lambda: page.evaluate("Play.data.train.length + Play.data.test.length") == n + 2, 10, "a new point")
        assert page.evaluate("Play.points[Play.points.length - 1][2]") == 1
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(shots / "playground-phone.png"), full_page=True)
