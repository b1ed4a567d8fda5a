#!/usr/bin/env python3
"""The dashboard page in headless Chromium against a live `pixelpulse serve`, as a campaign manager uses it.

    dashboard_check.py --pixelpulse PATH [--screenshots DIR]

1. Starts `pixelpulse serve` on free ports with a data directory, and a `pixelpulse dashboard`
   of its own following serve's feed (the one that can tell when the aggregator stops).
2. Sends known hits to the collector: views, clicks, a conversion with a value, a bot.
3. Opens both dashboards' pages, picks the 1h window, and waits until every campaign's
   numbers equal the aggregator's snapshot (read over ZeroMQ with pyzmq); then checks they
   are exactly equal, in the page's model and in the cells shown.
4. Expands a campaign: its pixels' rows equal the snapshot's pixels.
5. Sends more hits: the pages show the new numbers without reloading.
6. Writes screenshots (light and dark) and prints `screenshot: PATH` for each.
7. Stops serve: the standalone dashboard's page shows `stale`, serve's own page `offline`
   (its server is gone too), and a screenshot of that.
8. Starts serve again on the same ports and data: both pages come back `live` with the
   snapshot's numbers.

Prints `done` when every step held; `FAIL <reason>` and exit 1 otherwise. Every wait is
bounded and polls a real signal: what the page shows, never a fixed sleep.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import zmq
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FIELDS = ("views", "clicks", "conversions", "value", "bots", "uniques", "uniquesError", "ctr", "cvr")
WAIT = 90  # seconds: a busy machine is slow, and every wait ends as soon as its signal holds


class Failure(Exception):
    pass


class Serve:
    """`pixelpulse serve` (or `pixelpulse dashboard`) as a child process whose printed lines are read."""

    def __init__(self, arguments, log):
        self.log = open(log, "ab")
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log)
        self.printed = {}

    def value(self, prefix):
        """The rest of the first line starting with `prefix:`, reading until it comes (bounded by WAIT)."""
        deadline = time.monotonic() + WAIT
        while prefix not in self.printed:
            if time.monotonic() > deadline:
                raise Failure(f"no '{prefix}:' line from {self.process.args[1]}")
            line = self.process.stdout.readline().decode()
            if not line:
                raise Failure(f"{self.process.args[1]} exited before printing '{prefix}:' (see {self.log.name})")
            key, _, rest = line.partition(": ")
            self.printed.setdefault(key, rest.strip())
        return self.printed[prefix]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=WAIT)


def port_of(url):
    return url.rsplit(":", 1)[1].strip("/")


def start_serve(binary, work, ports=None):
    """serve on free ports (the first time) or on the ports it had (`ports`), with the same data."""
    ports = ports or {"http": "0", "ingest": "*", "feed": "*", "snapshot": "*", "dashboard": "0"}
    serve = Serve([
        binary, "serve", "--http", f"127.0.0.1:{ports['http']}", "--ingest", f"tcp://127.0.0.1:{ports['ingest']}",
        "--feed", f"tcp://127.0.0.1:{ports['feed']}", "--snapshot", f"tcp://127.0.0.1:{ports['snapshot']}",
        "--dashboard-http", f"127.0.0.1:{ports['dashboard']}", "--data-dir", os.path.join(work, "data"),
        "--spool-dir", os.path.join(work, "spool"), "--log-level", "warning",
    ], os.path.join(work, "serve.log"))
    serve.value("dashboard")
    return serve


def hit(collector, campaign, pixel, query="", agent=CHROME):
    url = f"{collector}/p/{campaign}/{pixel}.gif{query}"
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200:
            raise Failure(f"{url}: {response.status}")


def snapshot(endpoint, prefix="stats/"):
    """Topic → stats body, from the aggregator's snapshot socket."""
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(endpoint)
    dealer.send(prefix.encode())
    bodies = {}
    poller = zmq.Poller()
    poller.register(dealer, zmq.POLLIN)
    while True:
        if not poller.poll(WAIT * 1000):
            raise Failure("the snapshot did not come")
        topic, body = dealer.recv_multipart()
        if topic == b"snapshot/end/":
            dealer.close()
            return bodies
        if topic.startswith(b"stats/"):
            bodies[topic.decode()] = json.loads(body)


def expected_rows(bodies, window, rollups=True):
    """What the page must show for `window`: (campaign, pixel) → the fields."""
    rows = {}
    for body in bodies.values():
        if (body["pixel"] is None) != rollups:
            continue
        counts = body["windows"][window]
        rows[(body["campaign"], body["pixel"])] = {field: counts.get(field) for field in FIELDS}
    return rows


def shown_rows(driver, rollups=True):
    rows = {}
    for row in driver.execute_script("return window.pixelpulse.rows()"):
        if (row.get("pixel") is None) != rollups:
            continue
        rows[(row["campaign"], row.get("pixel"))] = {field: row.get(field) for field in FIELDS}
    return rows


def wait_for(driver, what, condition, timeout=WAIT):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition(d))
    except Exception as error:
        raise Failure(f"{what}: not within {timeout} s ({type(error).__name__})") from None


def feed_state(driver):
    return driver.execute_script("return document.body.dataset.feed")


def wait_equal(driver, name, endpoint, window="1h"):
    """Waits until the page's campaigns (and expanded pixels) equal a snapshot read after them."""
    last = {}

    def equal(d):
        bodies = snapshot(endpoint)
        expected = expected_rows(bodies, window)
        shown = shown_rows(d)
        last.update(expected=expected, shown=shown)
        return expected and shown == expected

    try:
        WebDriverWait(driver, WAIT, poll_frequency=0.3).until(equal)
    except Exception:
        raise Failure(f"{name}: the page never showed the snapshot's numbers: "
                      f"shown {last.get('shown')} expected {last.get('expected')}") from None
    return last["expected"]


def check_cells(driver, expected):
    """The cells of each campaign row show its numbers, formatted (en-US)."""
    for (campaign, _), fields in expected.items():
        row = driver.find_element(By.CSS_SELECTOR, f'#campaigns tbody tr.campaign[data-campaign="{campaign}"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
        for field in ("views", "clicks", "conversions", "bots"):
            want = f"{fields[field]:,}"
            wait_for(driver, f"{campaign} {field} cell shows {want}",
                     lambda d: row.find_element(By.CSS_SELECTOR, f'td[data-col="{field}"]').text.strip() == want)
        if campaign == "beta" and not fields["uniquesError"]:
            raise Failure(f"beta: {fields['uniques']} unique visitors carry no standard error")
        want = "–" if fields["uniques"] is None else \
            f"{fields['uniques']:,}" + (f" ±{fields['uniquesError']:,}" if fields["uniquesError"] else "")
        wait_for(driver, f"{campaign} uniques cell shows {want}",
                 lambda d: row.find_element(By.CSS_SELECTOR, 'td[data-col="uniques"]').text.strip() == want)
        value = row.find_element(By.CSS_SELECTOR, 'td[data-col="value"]')
        wait_for(driver, f"{campaign} value cell", lambda d: value.get_attribute("data-v") == str(fields["value"]))
        if value.text.strip() != f"{fields['value'] / 100:,.2f}":
            raise Failure(f"{campaign}: value shows {value.text!r} for {fields['value']} minor units")
        for rate in ("ctr", "cvr"):
            cell = row.find_element(By.CSS_SELECTOR, f'td[data-col="{rate}"]')
            text = cell.text.strip().replace("\u202f", "").replace(" ", "")
            if fields[rate] is None:
                if text not in ("–", "-", "—"):
                    raise Failure(f"{campaign}: {rate} of null shows {text!r}")
            elif abs(float(text.rstrip("%")) - fields[rate] * 100) > 0.006:
                raise Failure(f"{campaign}: {rate} shows {text!r} for {fields[rate]}")


def browser(dark=False):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US",
                     "--window-size=1280,900", f"--user-agent={CHROME}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT)
    return driver


def screenshot(driver, directory, name, dark=False):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    path = os.path.join(directory, name)
    driver.save_screenshot(path)
    print(f"screenshot: {path}", flush=True)


def console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def run(binary, shots):
    work = tempfile.mkdtemp(prefix="pixelpulse-dashboard-")
    children, drivers = [], []
    try:
        serve = start_serve(binary, work)
        children.append(serve)
        collector, feed, endpoint = serve.value("http"), serve.value("feed"), serve.value("snapshot")
        ports = {"http": port_of(collector), "ingest": port_of(serve.value("ingest")), "feed": port_of(feed),
                 "snapshot": port_of(endpoint), "dashboard": port_of(serve.value("dashboard"))}
        own = Serve([binary, "dashboard", "--http", "127.0.0.1:0", "--connect", feed, "--snapshot", endpoint,
                     "--log-level", "warning"], os.path.join(work, "dashboard.log"))
        children.append(own)
        pages = {"serve": serve.value("dashboard") + "/", "dashboard": own.value("dashboard") + "/"}

        for i in range(7):
            hit(collector, "alpha", "hero" if i % 2 else "side")
        for i in range(3):
            hit(collector, "alpha", "hero", "?e=click")
        # 120 visitors (the agent is part of the visitor hash): enough for beta's uniques to
        # carry a standard error of a visitor or more, shown beside them.
        for i in range(120):
            hit(collector, "beta", "banner", agent=f"{CHROME} visitor-{i}")
        hit(collector, "beta", "banner", "?e=click")
        hit(collector, "beta", "thanks", "?e=conversion&v=1250")
        hit(collector, "gamma", "mail", agent=BOT)

        for name, url in pages.items():
            driver = browser()
            drivers.append(driver)
            driver.get(url)
            loaded = driver.execute_script("return window.pixelpulse && window.pixelpulse.loadedAt")
            if not loaded:
                raise Failure(f"{name}: the page did not start (console: {console_errors(driver)})")
            wait_for(driver, f"{name}: feed live", lambda d: feed_state(d) == "live")
            driver.find_element(By.CSS_SELECTOR, '#windows button[data-window="1h"]').click()
            wait_for(driver, f"{name}: 1h selected", lambda d: d.find_element(
                By.CSS_SELECTOR, '#windows button[data-window="1h"]').get_attribute("aria-pressed") == "true")
            expected = wait_equal(driver, name, endpoint)
            if set(campaign for campaign, _ in expected) != {"alpha", "beta", "gamma"}:
                raise Failure(f"unexpected campaigns {sorted(expected)}")
            check_cells(driver, expected)
            driver.loaded_at = loaded

        # The campaign's pixels, once expanded, are the snapshot's.
        driver = drivers[1]
        driver.find_element(By.CSS_SELECTOR, '#campaigns tbody tr.campaign[data-campaign="alpha"] button.toggle').click()
        want = expected_rows(snapshot(endpoint, "stats/alpha/"), "1h", rollups=False)
        wait_for(driver, "alpha's pixel rows", lambda d: shown_rows(d, rollups=False) == want)
        wait_for(driver, "alpha's two pixel rows (hero, side) shown",
                 lambda d: len(d.find_elements(By.CSS_SELECTOR, 'tr.key[data-campaign="alpha"]')) == 2)
        wait_for(driver, "sparklines", lambda d: d.execute_script(
            "return document.querySelectorAll('#campaigns tr.campaign td.spark svg polyline').length") >= 3)

        # More hits: new numbers without a reload.
        for i in range(5):
            hit(collector, "beta", "banner")
        hit(collector, "delta", "hero")
        for name, driver in zip(pages, drivers):
            wait_equal(driver, name, endpoint)
            if driver.execute_script("return window.pixelpulse.loadedAt") != driver.loaded_at:
                raise Failure(f"{name}: the page reloaded")
        for name, driver in zip(pages, drivers):
            errors = console_errors(driver)  # while the aggregator runs; failed requests are expected once it stops
            if errors:
                raise Failure(f"{name}: console errors {errors}")
        screenshot(drivers[1], shots, "dashboard-light.png")
        screenshot(drivers[1], shots, "dashboard-dark.png", dark=True)

        # The aggregator stops: stale on the dashboard that outlives it, offline where serve was the server.
        serve.stop()
        children.remove(serve)
        wait_for(drivers[1], "stale after the aggregator stopped", lambda d: feed_state(d) == "stale")
        wait_for(drivers[0], "serve's page without its server", lambda d: feed_state(d) in ("offline", "stale"))
        if not drivers[1].find_element(By.ID, "stale-banner").is_displayed():
            raise Failure("the stale banner is not shown")
        screenshot(drivers[1], shots, "dashboard-stale.png")

        serve = start_serve(binary, work, ports)
        children.append(serve)
        for name, driver in zip(pages, drivers):
            wait_for(driver, f"{name}: live again", lambda d: feed_state(d) == "live")
            wait_equal(driver, name, endpoint)
            if driver.execute_script("return window.pixelpulse.loadedAt") != driver.loaded_at:
                raise Failure(f"{name}: the page reloaded")
        print("done", flush=True)
        return 0
    except Failure as failure:
        print(f"FAIL {failure}", flush=True)
        return 1
    finally:
        for driver in drivers:
            driver.quit()
        for child in children:
            if child.process.poll() is None:
                child.process.kill()
                child.process.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pixelpulse", required=True)
    parser.add_argument("--screenshots", default=None, help="where to write the screenshots (default: a new temp dir)")
    arguments = parser.parse_args()
    shots = arguments.screenshots or tempfile.mkdtemp(prefix="pixelpulse-screenshots-")
    os.makedirs(shots, exist_ok=True)
    sys.exit(run(arguments.pixelpulse, shots))


if __name__ == "__main__":
    main()
