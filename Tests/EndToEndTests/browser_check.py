#!/usr/bin/env python3
"""Uses a PixelPulse collector from pages of another origin in headless Chromium, the way a site does.

`browser_check.py serve` serves the test pages on a free loopback port and prints
`pages: http://127.0.0.1:N` (the same server is a second origin as http://localhost:N), and
a stand-in for an ad platform's pixel on another, printed as `ads: http://127.0.0.1:M`
(`/px.gif`). The pages server lists at `/order` the order in which the ad pixel and the
tracking link's destination (`/destination.html`) were requested.

`browser_check.py check --pages URL --collector URL` drives Chromium through them, each step
waiting for its page to report:

  1. beacon.html: navigator.sendBeacon with a JSON Blob (Chrome preflights it)
  2. fetch.html: fetch() of a pixel, which must succeed in the page and read the 43-byte GIF
  3. script.html: loads /p.js (a view), clicks a same-page link (not counted), then an
     outbound link (a click)
  4. the same script page in a browser that sends DNT: 1 (a view without a visitor hash)
  5. from http://localhost:N, an origin the collector does not allow: a JSON beacon (its
     preflight refused: never sent) and a text/plain beacon (no preflight: counted)
  6. with --link URL, a tracking link whose pixel set is the ad stand-in's image: the browser
     must land on /destination.html, after the stand-in got its pixel; prints `landed: URL`

Every browser says it is a desktop Chrome (headless Chromium's own agent is a bot's).

It prints `done` when every step has reported, then keeps the browsers open (so no beacon
queued in them is cut off) until SIGTERM. Exits 1 with `FAIL <reason>` otherwise. The
counts are checked at the collector by the test that runs this.
"""
import argparse
import html
import json
import shutil
import signal
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CAMPAIGN = "browser"
DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")

PAGES = {
    "/beacon.html": """<!doctype html><title>beacon</title><script>
const q = new URLSearchParams(location.search), c = q.get("collector"), pixel = q.get("pixel") || "json-beacon";
window.result = String(navigator.sendBeacon(c + "/p/{campaign}/" + pixel,
  new Blob([JSON.stringify({{page: location.href}})], {{type: "application/json"}})));
</script>""",
    "/plain.html": """<!doctype html><title>plain</title><script>
const c = new URLSearchParams(location.search).get("collector");
window.result = String(navigator.sendBeacon(c + "/p/{campaign}/plain-beacon", "a text/plain body"));
</script>""",
    "/fetch.html": """<!doctype html><title>fetch</title><script>
const c = new URLSearchParams(location.search).get("collector");
fetch(c + "/p/{campaign}/fetch.gif?e=view")
  .then(r => r.ok ? r.blob() : Promise.reject(new Error("status " + r.status)))
  .then(b => window.result = "ok " + b.size, e => window.result = "failed: " + e);
</script>""",
    "/script.html": """<!doctype html><title>shop</title>
<script async src="{collector}/p.js" data-campaign="{campaign}" data-pixel="{pixel}"></script>
<p><a id="inside" href="#reviews">reviews</a> <a id="outbound" href="{outbound}">partner shop</a></p>
<h2 id="reviews">Reviews</h2>""",
    "/landing.html": "<!doctype html><title>landing</title><p>partner shop</p>",
    "/destination.html": "<!doctype html><title>destination</title><p>the link's destination</p>",
}


def serve():
    order, lock = [], threading.Lock()

    def note(what):
        with lock:
            order.append(what)

    class Ads(BaseHTTPRequestHandler):
        def do_GET(self):
            if urllib.parse.urlsplit(self.path).path != "/px.gif":
                self.send_error(404)
                return
            note("pixel")
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.send_header("Content-Length", str(len(GIF)))
            self.end_headers()
            self.wfile.write(GIF)

        def log_message(self, *args):
            pass

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/order":
                with lock:
                    body = json.dumps(order).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if url.path == "/destination.html":
                note("destination")
            page = PAGES.get(url.path)
            if page is None:
                self.send_error(404)
                return
            query = dict(urllib.parse.parse_qsl(url.query))
            values = {key: html.escape(value) for key, value in query.items()}
            values.setdefault("pixel", "page")
            values["campaign"] = CAMPAIGN
            values["outbound"] = f"http://localhost:{server.server_address[1]}/landing.html"
            body = page.format(**values).encode() if "{" in page else page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    ads = ThreadingHTTPServer(("127.0.0.1", 0), Ads)
    threading.Thread(target=ads.serve_forever, daemon=True).start()
    print(f"ads: http://127.0.0.1:{ads.server_address[1]}", flush=True)
    print(f"pages: http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def browser(do_not_track=False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        fail("chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-agent={DESKTOP_CHROME}"):
        options.add_argument(argument)
    if do_not_track:
        options.add_experimental_option("prefs", {"enable_do_not_track": True})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def check(arguments):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    pages, collector = arguments.pages.rstrip("/"), arguments.collector.rstrip("/")
    other = pages.replace("127.0.0.1", "localhost")
    encoded = urllib.parse.quote(collector, safe="")
    drivers = []

    def expect(driver, page, step, expected):
        driver.get(page)
        try:
            answer = WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.result"))
        except Exception as error:
            fail(f"{step}: the page reported nothing ({error.__class__.__name__})")
        if answer != expected:
            fail(f"{step}: the page reported {answer!r}, not {expected!r}")

    def script_page(driver, pixel, step):
        driver.get(f"{pages}/script.html?collector={encoded}&pixel={pixel}")
        loaded = f"return performance.getEntriesByName('{collector}/p.js').length > 0 && document.readyState === 'complete'"
        try:
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(loaded))
        except Exception:
            fail(f"{step}: /p.js did not load")

    def stop(*_):
        for driver in drivers:
            driver.quit()
        sys.exit(0)

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, stop)
    main = browser()
    drivers.append(main)

    expect(main, f"{pages}/beacon.html?collector={encoded}", "json beacon", "true")  # sendBeacon queued it
    expect(main, f"{pages}/fetch.html?collector={encoded}", "fetch", "ok 43")
    script_page(main, "script", "script")
    main.find_element(By.ID, "inside").click()
    main.find_element(By.ID, "outbound").click()
    try:
        WebDriverWait(main, 30).until(lambda d: d.title == "landing")
    except Exception:
        fail(f"script: the outbound link did not lead to the landing page ({main.current_url})")

    private = browser(do_not_track=True)
    drivers.append(private)
    if private.execute_script("return navigator.doNotTrack") != "1":
        fail("dnt: the browser does not send Do Not Track")
    script_page(private, "dnt", "dnt")

    expect(main, f"{other}/beacon.html?collector={encoded}&pixel=refused", "refused beacon", "true")
    expect(main, f"{other}/plain.html?collector={encoded}", "plain beacon", "true")

    if arguments.link:
        main.get(arguments.link)
        try:
            WebDriverWait(main, 30).until(lambda d: d.title == "destination")
        except Exception:
            fail(f"link: the browser did not land on the destination ({main.current_url})")
        with urllib.request.urlopen(f"{pages}/order", timeout=10) as answer:
            order = json.load(answer)
        if order != ["pixel", "destination"]:
            fail(f"link: the ad pixel and the destination were requested in the order {order}")
        print(f"landed: {main.current_url}", flush=True)
    print("done", flush=True)
    while True:
        signal.pause()


parser = argparse.ArgumentParser()
commands = parser.add_subparsers(dest="command", required=True)
commands.add_parser("serve")
checking = commands.add_parser("check")
checking.add_argument("--pages", required=True)
checking.add_argument("--collector", required=True)
checking.add_argument("--link")
parsed = parser.parse_args()
if parsed.command == "serve":
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    serve()
else:
    check(parsed)
