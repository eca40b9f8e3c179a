"""The web page end to end in a real headless Chromium (selenium) against `python -m oltsync web` run
as a subprocess over a fresh PostgreSQL database: the login lock, search-as-you-type, the ONU page's
optical graph compared point by point with onu_optical_history, and the CSV of a filtered ONU list
compared with the onus table. The search test's browser also takes the README's screenshots
(OLTSYNC_SCREENSHOTS=docs writes docs/web-search.png and docs/web-onu.png).

Debian's chromium and chromium-driver are needed: missing, the tests fail under CI and skip elsewhere.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.signal import Thresholds
from bench import web_data
from storage import migrate, schema
from storage.db import get_engine
from tests.conftest import IN_CI, empty_pg_database

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
OLTS, ONUS, SEED, DAYS = 2, 64, 11, 3
PLATFORMS = "huawei_smartax,zte_c300"  # olt-001 Huawei (its history has tx too), olt-002 ZTE
WAIT_S = 20.0
WINDOW = (1280, 900)

o, h = schema.onus, schema.onu_optical_history


@dataclass(frozen=True)
class Site:
    base: str
    user: str
    password: str
    engine: Engine
    olt_names: tuple[str, ...]
    history_olt: str

    def url(self, path: str) -> str:
        return self.base + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen, base: str, log: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`oltsync web` exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200 and r.read() == b"ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)  # polling the server's start, not waiting for a result
    pytest.fail(f"`oltsync web` did not answer /healthz in {timeout_s:.0f} s:\n"
                f"{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """2 OLTs x 64 ONUs stored as a first sync stores them, 3 days of hourly history for the first,
    and `oltsync web` serving them on a free loopback port with fresh credentials."""
    with empty_pg_database() as url:
        migrate.upgrade(url)
        port = _free_port()
        user, password = "tester", secrets.token_urlsafe(18)
        log = tmp_path_factory.mktemp("web") / "web.log"
        env = {**os.environ, "OLTSYNC_DATABASE_URL": url, "OLTSYNC_WEB_AUTH": f"{user}:{password}"}
        with log.open("wb") as out:  # started first: it imports while the data is stored
            proc = subprocess.Popen(
                [sys.executable, "-m", "oltsync", "web", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # its worker processes stop with it, by its group
        try:
            olts = [web_data.store_olt(url, i, ONUS, SEED, PLATFORMS) for i in range(OLTS)]
            for olt in olts:
                web_data.fleet_events(url, olt, SEED)
            assert web_data.history(url, olts[0], DAYS, SEED) > 0
            base = f"http://127.0.0.1:{port}"
            _wait_healthy(proc, base, log)
            yield Site(base, user, password, get_engine(url), tuple(x.name for x in olts),
                       olts[0].name)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its workers, by its PID's group
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(15)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module (it takes seconds to start), asking for English pages."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        why = f"{' and '.join(missing)} not installed (Debian: apt-get install chromium chromium-driver)"
        if IN_CI:
            pytest.fail(f"the browser test is required in CI: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    home = tmp_path_factory.mktemp("chromium")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--disable-dev-shm-usage", "--lang=en-US", "--no-first-run"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(home), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "intl.accept_languages": "en-US,en"})
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER), log_output=str(home / "driver.log")),
                           options=opts)
    try:
        drv.set_page_load_timeout(WAIT_S)
        yield drv
    finally:
        drv.quit()  # chromedriver and the browser it started


@pytest.fixture
def driver(browser: Any, tmp_path: Path) -> Any:
    """The module's browser as a new visitor: no cookies, downloads into tmp_path/downloads."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.get("about:blank")
    browser.set_window_size(*WINDOW)
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # every site's, not the page's
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    return browser


# -- helpers -----------------------------------------------------------------------------------

def _wait(drv: Any, timeout_s: float = WAIT_S) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout_s, poll_frequency=0.1)


def _path(drv: Any) -> str:
    u = urlsplit(drv.current_url)
    return u.path + (f"?{u.query}" if u.query else "")


def _log_in(drv: Any, site: Site, password: str) -> None:
    from selenium.webdriver.common.by import By

    form = drv.find_element(By.CSS_SELECTOR, "form.login")
    form.find_element(By.NAME, "user").send_keys(site.user)
    form.find_element(By.NAME, "password").send_keys(password)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _logged_in(drv: Any, site: Site, target: str) -> None:
    """Open `target` through the login page, as a user following a link would."""
    drv.get(site.url(target))
    _wait(drv).until(lambda d: urlsplit(d.current_url).path == "/login")
    _log_in(drv, site, site.password)
    _wait(drv).until(lambda d: urlsplit(d.current_url).path != "/login")
    assert _path(drv) == target


def _all_serials(site: Site) -> set[str]:
    with site.engine.connect() as conn:
        return set(conn.scalars(select(o.c.serial)))


def _history_onu(site: Site) -> tuple[str, str]:
    """The online ONU with history whose rx is the weakest now (it drifted down to it: the graph
    shows something), and 6 characters from the middle of its serial."""
    with site.engine.connect() as conn:
        serial = conn.scalar(
            select(o.c.serial).where(o.c.olt == site.history_olt, o.c.run_state == "online",
                                     o.c.removed_at.is_(None), o.c.rx_power_dbm.is_not(None))
            .order_by(o.c.rx_power_dbm, o.c.serial).limit(1))
    assert serial and len(serial) >= 12
    return serial, serial[5:11]


def _same_level(page: Any, db: float | None) -> bool:
    if db is None or page is None:
        return page is None and db is None
    return page == pytest.approx(db, abs=1e-6)


def _save_screenshot(drv: Any, name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    assert drv.save_screenshot(str(path))
    data = path.read_bytes()
    assert len(data) > 10_000 and data[:8] == b"\x89PNG\r\n\x1a\n", f"{name}: not a PNG screenshot"
    folder = os.environ.get("OLTSYNC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(folder) / name)
    return path


# -- the tests ---------------------------------------------------------------------------------

def test_locked_without_login(driver: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    serials = _all_serials(site)
    assert len(serials) == OLTS * ONUS
    some_serial = sorted(serials)[0]
    for target in ("/onus", f"/onus?olt={site.olt_names[0]}&state=offline", "/onus.csv",
                   f"/onus/{site.olt_names[0]}/{some_serial}", "/search?q=" + some_serial[4:10]):
        driver.get(site.url(target))
        _wait(driver).until(lambda d: urlsplit(d.current_url).path == "/login")
        assert parse_qs(urlsplit(driver.current_url).query)["next"] == [target]
        assert driver.find_element(By.CSS_SELECTOR, "form.login")
        assert driver.find_elements(By.ID, "onu-table") == []
        page = driver.page_source
        # only the serial the user asked for may be there (in `next`): none of the database's
        assert not [s for s in serials if s in page and s not in target], \
            f"{target}: the login page shows a serial"
    assert driver.get_cookies() == [] or all(c["name"] != "oltsync_session"
                                             for c in driver.get_cookies())


def test_login_wrong_then_right(driver: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    olt = site.olt_names[1]
    target = f"/onus?olt={olt}"
    driver.get(site.url(target))
    _wait(driver).until(lambda d: urlsplit(d.current_url).path == "/login")
    assert driver.current_url.endswith("/login?next=" + quote(target, safe=""))

    _log_in(driver, site, site.password + "x")
    error = _wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
    assert error[0].text == "Wrong user or password."
    assert urlsplit(driver.current_url).path == "/login"
    assert all(c["name"] != "oltsync_session" for c in driver.get_cookies())
    assert driver.find_element(By.CSS_SELECTOR, "form.login input[name=next]").get_attribute(
        "value") == target  # a failed attempt keeps where the user was going

    _log_in(driver, site, site.password)
    _wait(driver).until(lambda d: urlsplit(d.current_url).path != "/login")
    assert _path(driver) == target
    session = [c for c in driver.get_cookies() if c["name"] == "oltsync_session"]
    assert len(session) == 1 and session[0]["httpOnly"]
    shown = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#onu-table a.onu-link")]
    with site.engine.connect() as conn:
        expected = list(conn.scalars(select(o.c.serial).where(o.c.olt == olt, o.c.removed_at.is_(None))
                                     .order_by(o.c.port, o.c.onu_id).limit(50)))
    assert shown == expected


def test_search_open_onu_graph_and_screenshots(driver: Any, site: Site, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    serial, fragment = _history_onu(site)
    _logged_in(driver, site, "/")
    box = driver.find_element(By.ID, "search-box")
    box.send_keys(fragment)  # no Enter: search as you type

    def link(d: Any) -> Any:
        return next((a for a in d.find_elements(By.CSS_SELECTOR, "#search-results a.onu-link")
                     if a.text == serial), None)

    hit = _wait(driver).until(link)
    assert urlsplit(driver.current_url).path == "/"  # still on the page it was typed on
    assert hit.get_attribute("href") == site.url(f"/onus/{site.history_olt}/{serial}")
    with site.engine.connect() as conn:  # every ONU whose serial has the fragment is offered
        having = set(conn.scalars(select(o.c.serial).where(o.c.serial.contains(fragment),
                                                            o.c.removed_at.is_(None))))
    offered = {a.text for a in driver.find_elements(By.CSS_SELECTOR, "#search-results a.onu-link")}
    assert serial in having and having <= offered
    shot_search = _save_screenshot(driver, "web-search.png", tmp_path)

    hit.click()
    _wait(driver).until(lambda d: urlsplit(d.current_url).path == f"/onus/{site.history_olt}/{serial}")
    drawn = _wait(driver).until(lambda d: d.execute_script(
        "var u = window.oltsyncChart; return u && u.data ? "
        "{data: u.data, xmin: u.scales.x.min, xmax: u.scales.x.max, series: u.series.length} : null"))
    assert driver.find_element(By.CSS_SELECTOR, "h1").text.startswith(serial)

    with site.engine.connect() as conn:
        rows = conn.execute(select(h.c.sampled_at, h.c.rx_power_dbm, h.c.tx_power_dbm,
                                   h.c.olt_rx_power_dbm)
                            .where(h.c.olt == site.history_olt, h.c.serial == serial)
                            .order_by(h.c.sampled_at)).all()
    t, rx, tx, olt_rx, warning, critical = drawn["data"]
    th = Thresholds()
    assert warning == [th.onu_rx_warning] * len(t) and th.onu_rx_warning == -27.0
    assert critical == [th.onu_rx_critical] * len(t) and th.onu_rx_critical == -30.0
    # a gap in the history is drawn as a break: a point without levels, a second after the last
    # sample before it; the rest are the samples
    breaks = [i for i in range(len(t)) if rx[i] is None and tx[i] is None and olt_rx[i] is None]
    assert all(i > 0 and t[i] == t[i - 1] + 1 and t[i + 1] - t[i - 1] > 5400 for i in breaks)
    t, rx, tx, olt_rx = ([v for i, v in enumerate(s) if i not in breaks]
                         for s in (t, rx, tx, olt_rx))
    assert len(rows) > DAYS * 24 - 24  # hourly over 3 days, less any offline spell
    assert len(t) == len(rows) > 24
    assert all(isinstance(x, int) for x in t)
    assert [float(x) for x in t] == [pytest.approx(r.sampled_at.timestamp(), abs=1) for r in rows]
    assert t == sorted(t) and len(set(t)) == len(t)
    for name, series, column in (("rx", rx, 1), ("tx", tx, 2), ("olt_rx", olt_rx, 3)):
        assert len(series) == len(rows)
        wrong = [(i, p, r[column]) for i, (p, r) in enumerate(zip(series, rows, strict=True))
                 if not _same_level(p, r[column])]
        assert not wrong, f"{name}: points differ from onu_optical_history: {wrong[:5]}"
    assert any(v is not None for v in rx)
    assert drawn["series"] == 6  # x, rx, tx, OLT rx, warning, critical
    assert (drawn["xmin"], drawn["xmax"]) == (t[0], t[-1])  # the x axis spans the history

    driver.set_window_size(1280, 1100)  # the ONU's facts and its graph in one picture
    driver.execute_script("window.scrollTo(0, 0)")
    _wait(driver).until(lambda d: d.execute_script(
        "var r = document.getElementById('optical-chart').getBoundingClientRect();"
        "return r.bottom + 40 <= window.innerHeight"))
    shot_onu = _save_screenshot(driver, "web-onu.png", tmp_path)
    assert shot_onu.read_bytes() != shot_search.read_bytes()


def _wait_download(folder: Path, timeout_s: float = WAIT_S) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*.csv") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.1)  # polling the browser's download folder
    pytest.fail(f"no CSV downloaded into {folder} in {timeout_s:.0f} s: {list(folder.iterdir())}")


def _csv_filter(site: Site) -> tuple[str, dict[str, str]]:
    """The OLT with the most offline ONUs (state=offline), or weak ones (band=weak) if none is."""
    with site.engine.connect() as conn:
        for column, value, param in ((o.c.run_state, "offline", "state"),
                                     (o.c.rx_power_dbm, None, "band")):
            counts = {}
            for olt in site.olt_names:
                cond = (column == value if value else
                        (column <= Thresholds().onu_rx_warning) & (column > Thresholds().onu_rx_critical))
                counts[olt] = len(conn.execute(select(o.c.serial).where(
                    o.c.olt == olt, o.c.removed_at.is_(None), cond)).all())
            olt = max(counts, key=lambda k: (counts[k], k))
            if counts[olt] >= 2:
                return olt, {"olt": olt, param: value or "weak"}
    pytest.fail("the test data has no OLT with 2 offline or 2 weak ONUs")


def test_csv_of_filtered_list_matches_database(driver: Any, site: Site, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    olt, params = _csv_filter(site)
    target = "/onus?" + urlencode(params)
    _logged_in(driver, site, target)
    shown = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#onu-table a.onu-link")]
    assert not driver.find_elements(By.ID, "next-page")  # the whole list is on this page
    link = driver.find_element(By.ID, "csv-link")
    assert parse_qs(urlsplit(link.get_attribute("href")).query) == {k: [v] for k, v in params.items()}
    link.click()
    path = _wait_download(tmp_path / "downloads")
    with path.open(newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))

    cond = (o.c.run_state == "offline" if params.get("state") else
            (o.c.rx_power_dbm <= Thresholds().onu_rx_warning)
            & (o.c.rx_power_dbm > Thresholds().onu_rx_critical))
    with site.engine.connect() as conn:
        db = {(r.olt, r.serial): r for r in conn.execute(select(o).where(
            o.c.olt == olt, o.c.removed_at.is_(None), cond))}
        total = len(conn.execute(select(o.c.serial).where(o.c.olt == olt)).all())
    assert 2 <= len(db) < total  # filtered: some ONUs, not all of the OLT's
    assert {(r["olt"], r["serial"]) for r in got} == set(db)
    assert len(got) == len(db)  # no duplicate lines
    assert [r["serial"] for r in got] == shown  # the same rows, in the page's order
    for r in got:
        row = db[(r["olt"], r["serial"])]
        assert r["port"] == row.port and int(r["onu_id"]) == row.onu_id
        assert r["run_state"] == row.run_state
        assert (r["client_key"] or None) == row.client_key
        assert (r["description"] or None) == row.description
        assert _same_level(float(r["rx_power_dbm"]) if r["rx_power_dbm"] else None, row.rx_power_dbm)
        assert _same_level(float(r["olt_rx_power_dbm"]) if r["olt_rx_power_dbm"] else None,
                           row.olt_rx_power_dbm)
        down = datetime.fromisoformat(r["last_down_at"]) if r["last_down_at"] else None
        assert down == row.last_down_at
        if params.get("band"):
            assert r["band"] == "weak"
    assert any(r["client_key"] for r in got) or all(row.client_key is None for row in db.values())
