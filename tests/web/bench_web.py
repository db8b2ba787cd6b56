#!/usr/bin/python3
"""The web interface's speed (BENCHMARKS.md), measured in real headless Chromium:

  - time to first render of seed 002's sheet and of a 1,000-indicator workspace: from
    navigation start to the grid on screen (the frame after it is built), and from the
    GetTree call to that frame;
  - the delay from `jx node set` to the change on screen, end to end (the jx process
    starting, logging in and committing; the feed notice; the page's ChangesSince and
    GetTree; the cell updated), polled every 5 ms.

  make build && JIXIAOD=build/server/jixiaod JX=build/client/jx JX_WEB_ROOT=build/web \\
      /usr/bin/python3 tests/web/bench_web.py [RUNS]
"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import test_web as T  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def first_render(drv, url, ws):
    times = []
    for _ in range(RUNS):
        drv.get(url + f"/#ws/{ws}")
        drv.refresh()
        WebDriverWait(drv, 30, poll_frequency=0.01).until(
            lambda d: d.execute_script("return document.body.dataset.rendered") == str(ws))
        nav = drv.execute_script("return performance.now()")
        call = drv.execute_script("return window.jixiaoFirstRender")
        times.append((nav, call))
    rows = drv.execute_script("return document.querySelectorAll('#sheet tbody tr').length")
    marks = drv.execute_script("return performance.getEntriesByType('mark').map(m => m.name + ' ' + Math.round(m.startTime)).join(', ')")
    print(f"  (the last run's steps, ms from navigation start: {marks})")
    return rows, statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5

d = T.Daemon()
drv = T.browser()
try:
    d.jx("ws", "create", "--subject", "数字政府运维", "--year", "2023", "--kind", "key-evaluation")
    d.jx("import", "sheet", "1", os.path.join(T.DATA, "seed002-sheet.csv"))
    d.jx("ws", "create", "--subject", "千项指标", "--year", "2023", "--kind", "key-evaluation")
    big = os.path.join(tempfile.mkdtemp(), "big.csv")
    T.sheet_1000(big)
    d.jx("import", "sheet", "2", big)
    T.login_new_key(d, drv, "li")
    d.jx("member", "set", "1", "li", "evaluator")
    d.jx("member", "set", "2", "li", "evaluator")
    for ws, name in ((1, "seed 002"), (2, "1,000 indicators")):
        rows, nav, call = first_render(drv, d.url, ws)
        print(f"first render, {name} ({rows} rows): {nav:.0f} ms from navigation start, "
              f"{call:.0f} ms from the GetTree call (median of {RUNS})")
    for ws, code in ((1, "1.1.2"), (2, None)):
        drv.get(d.url + f"/#ws/{ws}")
        drv.refresh()
        WebDriverWait(drv, 30).until(
            lambda dr: dr.execute_script("return document.body.dataset.rendered") == str(ws))
        if code is None:
            code = drv.execute_script(
                "return document.querySelectorAll('#sheet tr.leaf')[5].dataset.code")
        delays = []
        for i in range(RUNS * 4):
            value = f"{(i % 9) / 100 + 0.01:.2f}".rstrip("0").rstrip(".")
            cell = T.sheet_input(drv, code, "score")
            t0 = time.monotonic()
            d.jx("node", "set", str(ws), code, "--score", value)
            WebDriverWait(drv, 5, poll_frequency=0.005).until(
                lambda _: cell.get_attribute("value") == value)
            delays.append(time.monotonic() - t0)
        print(f"jx node set to the cell on screen, workspace {ws} ({code}): median "
              f"{statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms "
              f"over {len(delays)} edits")
    t0 = time.monotonic()
    d.jx("ping")
    print(f"(jx ping alone, process start to exit: {(time.monotonic() - t0) * 1000:.0f} ms)")
finally:
    drv.quit()
    d.stop()
