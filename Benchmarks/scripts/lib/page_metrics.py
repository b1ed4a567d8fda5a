#!/usr/bin/env python3
"""page_metrics.py - how busy the dashboard page keeps Chromium's main thread, under live load.

Opens --url in headless Chromium through Selenium and Debian's chromedriver (no browser
download): --headless=new --no-sandbox --window-size=1400,900. Before the page's own scripts
run (CDP Page.addScriptToEvaluateOnNewDocument), a PerformanceObserver collects
'long-animation-frame' entries (or 'longtask' where that type is missing) and a
requestAnimationFrame loop records every frame's start. The page counts as ready when
document.body.dataset.feed == "live" and --rows-selector matches at least --campaigns rows.
After --settle-s, a --duration-s window:

  * CDP Performance.getMetrics at both ends: TaskDuration, ScriptDuration, LayoutDuration,
    RecalcStyleDuration deltas over the Timestamp delta = the fraction of the renderer main
    thread busy with each (TaskDuration is everything the main thread ran);
  * long frames: entries that start inside the window, count of those > --long-ms (50) and the
    longest (duration; blockingDuration for long-animation-frame);
  * with --raf: the longest gap between two animation frames and frames per second (a headless
    window still draws frames; a gap is a frame the page held up). Off by default: a rAF loop
    makes Chromium draw 60 frames a second, and that costs main-thread time of its own;
  * with --cpu NAME=PID: utime+stime of those processes over the window (/proc), e.g. the
    dashboard server; chromium_cpu: every process under chromedriver (browser, renderer, GPU).

Prints one line of key=value pairs:
  campaigns=.. rows=.. ready_s=.. window_s=.. task=.. script=.. layout=.. style=..
  lf_type=long-animation-frame lf_count=.. lf_over=.. lf_max_ms=.. lf_max_blocking_ms=..
  raf_fps=.. raf_max_gap_ms=.. raf_p99_gap_ms=.. chromium_cpu=.. cpu_<name>=.. js_heap_mb=..
  dom_nodes=..
Exit status 3 when the page was not ready within --ready-timeout-s (what it saw on stderr).

Usage: page_metrics.py --url http://127.0.0.1:P/ --campaigns 1000 [--duration-s 20]
                       [--settle-s 3] [--ready-timeout-s 90] [--long-ms 50] [--cpu dashboard=PID]
                       [--screenshot FILE] [--no-wait-ready]
"""
import argparse
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HZ = os.sysconf("SC_CLK_TCK")

OBSERVER = r"""
(() => {
  const w = window;
  w.__bench = {frames: [], type: null, entries: []};
  const types = (w.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  const type = types.includes('long-animation-frame') ? 'long-animation-frame'
             : types.includes('longtask') ? 'longtask' : null;
  w.__bench.type = type;
  if (type) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        // start, duration, blocking, and for a long animation frame where its time went:
        // work before rendering (tasks and callbacks), style and layout, and its scripts.
        const detail = e.renderStart === undefined ? null : {
          render_start: e.renderStart ? Math.round(e.renderStart - e.startTime) : null,
          style_layout_start: e.styleAndLayoutStart ? Math.round(e.styleAndLayoutStart - e.startTime) : null,
          scripts: (e.scripts || []).map(x => ({
            invoker: x.invoker, type: x.invokerType, duration: Math.round(x.duration),
            forced_style_layout: Math.round(x.forcedStyleAndLayoutDuration || 0),
            function: x.sourceFunctionName, char: x.sourceCharPosition,
            source: (x.sourceURL || '').split('/').pop()})),
        };
        w.__bench.entries.push([e.startTime, e.duration, e.blockingDuration || 0, detail]);
      }
    }).observe({type, buffered: true});
  }
  if (RAF) {
    const frame = (t) => { w.__bench.frames.push(t); requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  }
})();
"""


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / HZ


def descendants(pid):
    """pid and every process under it (from /proc/*/stat parent links)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def metrics(driver):
    return {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}


def percentile(values, fraction):
    if not values:
        return float("nan")
    rank = max(1, -int(-fraction * len(values) // 1))
    return values[min(rank, len(values)) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--campaigns", type=int, required=True)
    parser.add_argument("--rows-selector", default="#campaigns tbody tr.campaign")
    parser.add_argument("--duration-s", type=float, default=20)
    parser.add_argument("--settle-s", type=float, default=3)
    parser.add_argument("--ready-timeout-s", type=float, default=90)
    parser.add_argument("--long-ms", type=float, default=50)
    parser.add_argument("--cpu", action="append", default=[],
                        type=lambda v: (v.split("=", 1)[0], int(v.split("=", 1)[1])))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--screenshot")
    parser.add_argument("--click", action="append", default=[],
                        help="CSS selector of an element to click once the page is ready (e.g. a sort header), repeatable")
    parser.add_argument("--frames", help="write the long frames of the window, with their attribution, to this JSON file")
    parser.add_argument("--raf", action="store_true",
                        help="also run a requestAnimationFrame loop (frame gaps; it makes the browser draw 60 frames a second, which costs main-thread time itself)")
    parser.add_argument("--no-wait-ready", action="store_true", help="measure whatever the page does (for testing)")
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1400,900", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(flag)
    service = Service(executable_path=args.chromedriver, log_output=os.devnull)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_script_timeout(30)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": OBSERVER.replace("RAF", "true" if args.raf else "false")})
        opened = time.monotonic()
        driver.get(args.url)
        ready_script = ("return [document.body ? document.body.dataset.feed || null : null, "
                        "document.querySelectorAll(arguments[0]).length];")
        feed, rows = None, 0
        deadline = opened + args.ready_timeout_s
        while not args.no_wait_ready:
            feed, rows = driver.execute_script(ready_script, args.rows_selector)
            if feed == "live" and rows >= args.campaigns:
                break
            if time.monotonic() > deadline:
                print(f"page_metrics: not ready after {args.ready_timeout_s:g} s: dataset.feed={feed!r}, "
                      f"{rows} rows match {args.rows_selector!r} (want {args.campaigns})", file=sys.stderr)
                if args.screenshot:
                    driver.save_screenshot(args.screenshot)
                sys.exit(3)
            time.sleep(0.2)
        ready_s = time.monotonic() - opened
        for selector in args.click:
            driver.execute_script("document.querySelector(arguments[0]).click();", selector)
        time.sleep(args.settle_s)

        driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "timeTicks"})
        browser_pids = descendants(driver.service.process.pid)
        c0 = {name: cpu_seconds(pid) for name, pid in args.cpu}
        b0 = sum(cpu_seconds(p) for p in browser_pids)
        m0 = metrics(driver)
        w0 = driver.execute_script("return performance.now();")
        t0 = time.monotonic()
        time.sleep(args.duration_s)
        m1 = metrics(driver)
        w1 = driver.execute_script("return performance.now();")
        t1 = time.monotonic()
        c1 = {name: cpu_seconds(pid) for name, pid in args.cpu}
        b1 = sum(cpu_seconds(p) for p in descendants(driver.service.process.pid) if p in browser_pids)
        bench = driver.execute_script(
            "const b = window.__bench; return {type: b.type, entries: b.entries, "
            "frames: b.frames.filter(t => t >= arguments[0] && t <= arguments[1])};", w0, w1)
        feed, rows = driver.execute_script(ready_script, args.rows_selector)
        if args.screenshot:
            driver.save_screenshot(args.screenshot)
    finally:
        driver.quit()

    wall = m1["Timestamp"] - m0["Timestamp"]
    frac = {k: (m1.get(k, 0) - m0.get(k, 0)) / wall for k in
            ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}
    entries = [e for e in bench["entries"] if w0 <= e[0] <= w1]
    over = [e for e in entries if e[1] > args.long_ms]
    frames = bench["frames"]
    gaps = sorted(b - a for a, b in zip(frames, frames[1:]))
    window = t1 - t0
    fields = {
        "campaigns": args.campaigns,
        "rows": rows,
        "feed": feed,
        "ready_s": f"{ready_s:.1f}",
        "window_s": f"{window:.1f}",
        "task": f"{frac['TaskDuration']:.3f}",
        "script": f"{frac['ScriptDuration']:.3f}",
        "layout": f"{frac['LayoutDuration']:.3f}",
        "style": f"{frac['RecalcStyleDuration']:.3f}",
        "lf_type": bench["type"],
        "lf_count": len(entries),
        "lf_over": len(over),
        "lf_max_ms": f"{max((e[1] for e in entries), default=0):.0f}",
        "lf_max_blocking_ms": f"{max((e[2] for e in entries), default=0):.0f}",
        "raf_fps": f"{len(frames) / ((w1 - w0) / 1000):.1f}" if args.raf else "-",
        "raf_max_gap_ms": f"{gaps[-1] if gaps else float('nan'):.1f}" if args.raf else "-",
        "raf_p99_gap_ms": f"{percentile(gaps, 0.99):.1f}" if args.raf else "-",
        "chromium_cpu": f"{(b1 - b0) / window:.3f}",
        **{f"cpu_{name}": f"{(c1[name] - c0[name]) / window:.3f}" for name in c0},
        "js_heap_mb": f"{m1.get('JSHeapUsedSize', 0) / 1e6:.1f}",
        "dom_nodes": int(m1.get("Nodes", 0)),
    }
    print(" ".join(f"{k}={v}" for k, v in fields.items()))
    if args.frames:
        import json
        with open(args.frames, "w") as out:
            json.dump([{"start_ms": round(e[0] - w0), "duration_ms": round(e[1]), "blocking_ms": round(e[2]),
                        **(e[3] or {})} for e in entries], out, indent=1)


if __name__ == "__main__":
    main()
