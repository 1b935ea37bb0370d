"""The classify page's screenshots in docs/ (the README shows them), and a check in a real browser that at
phone width the overview scrolls inside its own box and nothing else is wider than the screen.

A manual step, not a test: it needs Chromium (`apt-get install chromium`) and a trained model. From the
repository root:

    python docs/experiments/screenshots.py [MODEL]      # default: models/ensemble-large

It writes docs/classify-overview.png and docs/classify-1280.png (one sentence row opened) at 1280 px and
docs/classify-390.png at 390 px, and prints, per width, what headless Chromium measured: the page's width,
the overview box's, and any element outside the overview box wider than the window.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from sendclf import api, inputs, render
from sendclf.paths import MODELS, ROOT

INPUTS = ["docs/examples/articles", "docs/examples/letter.pdf"]  # articles of 6 sentences, a letter of 15
OPENED = "doc-0-4"  # the sentence row shown open: its scores and evidence
SHOTS = {"classify-overview.png": (1280, 1100), "classify-1280.png": (1280, 1800),
         "classify-390.png": (390, 2900)}  # file -> window width, height
CHECK_WIDTHS = (1280, 390)
FRAME_WINDOW = 1280  # the window that holds the measuring frame
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars"]
# Headless Chromium's window is never narrower than 500 px (screenshots are cropped), so the page is measured
# in a frame of each width, and reports to the frame's parent, whose DOM --dump-dom prints.
FRAME = """<!doctype html><body style="margin:0">
<iframe src="{page}" style="width:{width}px;height:{height}px;border:0"></iframe>
<script>addEventListener("message", e => {{ document.body.dataset.measured = e.data; }});</script></body>"""
MEASURE = """<script>
addEventListener("load", () => {
  const box = document.querySelector(".overview .scroll"), head = box.querySelector("th.row"),
    finding = box.querySelector("th.finding");
  const wide = [...document.querySelectorAll("main *")].filter(e => !box.contains(e)
    && e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.tagName + "." + e.className);
  box.scrollLeft = box.scrollWidth;  /* scrolled to the last theme, the row names must stay in view */
  const measured = {window: innerWidth, page: document.documentElement.scrollWidth,
    box: box.clientWidth, table: box.scrollWidth, box_right: box.getBoundingClientRect().right,
    row_name_left_when_scrolled: head.getBoundingClientRect().left - box.getBoundingClientRect().left,
    finding_left_when_scrolled: finding.getBoundingClientRect().left - box.getBoundingClientRect().left,
    wider_than_window: wide};
  parent.postMessage(JSON.stringify(measured), "*");
});
</script>"""


def page(model: str) -> str:
    """The HTML page of INPUTS as `sendclf classify -f html` writes it, with the row OPENED open."""
    labeller = api.load_model(model)
    run = labeller.label(inputs.read_documents(INPUTS), evidence=True)
    html = render.to_html(run)
    return html.replace(f'id="{OPENED}"', f'id="{OPENED}" open', 1)


def chromium(url: str, width: int, height: int, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([*CHROMIUM, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                               *args, url], capture_output=True, text=True, check=True)
    return done.stdout


def main(model: str = str(MODELS / "ensemble-large")) -> None:
    html = page(model)
    with tempfile.TemporaryDirectory() as folder:
        shown, measured = Path(folder, "page.html"), Path(folder, "measured.html")
        shown.write_text(html, encoding="utf-8")
        measured.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
        for name, (width, height) in SHOTS.items():
            chromium(shown.as_uri(), width, height, f"--screenshot={ROOT / 'docs' / name}")
        for width in CHECK_WIDTHS:
            height = SHOTS["classify-390.png"][1]
            frame = Path(folder, f"frame-{width}.html")
            frame.write_text(FRAME.format(page=measured.name, width=width, height=height), encoding="utf-8")
            dom = chromium(frame.as_uri(), max(width, FRAME_WINDOW), height, "--virtual-time-budget=3000",
                           "--dump-dom")
            found = re.search(r'data-measured="([^"]*)"', dom)
            print(width, json.loads(found.group(1).replace("&quot;", '"')) if found else "not measured")


if __name__ == "__main__":
    main(*sys.argv[1:])
