"""`yakkan run --format html`: a self-contained page per customer, its figures, and the page in a real
headless Chromium (Debian's `chromium` and `chromium-driver`, driven through selenium): elements present,
links working, no script error, and a screenshot kept under pytest's temporary folder."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from interpreter.cli import main

ROOT = Path(__file__).resolve().parent.parent
YAKKAN = str(Path(sys.executable).parent / "yakkan")
SCENARIOS = ROOT / "contracts" / "scenarios"
OUTAGES = SCENARIOS / "itscom-hosting" / "outage-reductions.yaml"
LATE_NOTICE = SCENARIOS / "itscom-hosting" / "late-cancellation-weekend-deadline.yaml"
DEPENDANTS = SCENARIOS / "iij-secure-mx" / "dex-ends-dox-ends-same-day.yaml"


def run(scenario: Path, fmt: str) -> str:
    """`yakkan run --scenario S --format F`, in this process (the installed command is run once, below)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", "--scenario", str(scenario), "--format", fmt]) == 0
    return out.getvalue()


def page(scenario: Path) -> str:
    return run(scenario, "html")


def test_the_installed_command_prints_the_page():
    out = subprocess.run([YAKKAN, "run", "--scenario", str(OUTAGES), "--format", "html"], cwd=ROOT,
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert out.returncode == 0 and out.stdout == page(OUTAGES)


class _Parsed(HTMLParser):
    """Ids, links and resource references of a page, and its text by element id."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.tags: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.links.append(attrs["href"])
        for name in ("src", "srcset", "data", "xlink:href", "action"):
            if name in attrs:
                self.resources.append(attrs[name])


def row(html: str, element_id: str) -> str:
    """The text of the table row with this id, tags removed."""
    m = re.search(rf'<tr id="{re.escape(element_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"no row {element_id}"
    return re.sub(r"<[^>]+>", " ", m.group(1))


@pytest.mark.parametrize("scenario", [OUTAGES, LATE_NOTICE, DEPENDANTS], ids=lambda p: p.stem)
def test_page_is_self_contained_and_every_link_resolves(scenario):
    html = page(scenario)
    parsed = _Parsed(html)
    assert parsed.resources == [] and not parsed.tags & {"link", "img", "iframe", "object", "embed"}
    assert not re.search(r"https?:|url\(", html)
    assert parsed.links and all(link.startswith("#") for link in parsed.links)
    assert {link[1:] for link in parsed.links} <= parsed.ids  # no link leads nowhere
    assert {"timeline", "items", "notices", "obligations", "outages", "invoices", "events", "rules"} <= parsed.ids


def test_figures_of_outages_credits_and_invoices():
    html = page(OUTAGES)
    # July: 10,000 − 666 (floor(50 h ÷ 24) = 2 days × 10,000 ÷ 30 = 666.66… cut to 666) = 9,334;
    # tax floor(933.4) = 933; total 10,267 (docs/contracts/itscom-hosting.md, example 7).
    july = re.search(r'<details class="invoice" id="(E\d+)"><summary><b>2025-07</b>.*?</details>', html, re.S).group()
    assert "10,267 円" in july and "(tax 933)" in july and ">-666<" in july and ">9,334<" in july
    # The outages, their lengths, and the credits each one gave: 50 hours → the claimed 666; exactly
    # 24 hours → 333, never claimed, lapsed after its window; 23 h 59 min → nothing.
    assert "50 h 00 min" in row(html, "event-1-outage") and "E28" in row(html, "event-1-outage")
    assert "24 h 00 min" in row(html, "event-3-outage") and "E35" in row(html, "event-3-outage")
    assert "23 h 59 min" in row(html, "event-4-outage") and "—" in row(html, "event-4-outage")
    lapsed = row(html, "E35")
    assert "333" in lapsed and "lapsed" in lapsed and "2025-09-23 – 2025-12-23" in lapsed
    # Totals: the joining fee 20,000 (January, whose monthly fee ITS-6 leaves out) + 12 monthly fees of
    # 10,000 (2025-02 … 2026-01) = 140,000 in charges; credits owed: the claimed 666 only.
    assert re.search(r"料金 charges</div><div class=\"v\">140,000 円", html)
    assert re.search(r"減額 credits</div><div class=\"v\">666 円", html)
    # Every entry names its rule, and the rule its article and the .ctr line it is written at.
    assert '<a class="rule" href="#rule-ITS-18">ITS-18</a> 第37条' in html
    assert "第37条" in row(html, "rule-ITS-18") and "contracts/itscom-hosting.ctr:" in row(html, "rule-ITS-18")


def test_notices_and_lifecycles():
    html = page(LATE_NOTICE)
    notice = row(html, "E61")  # the late 解約の通知: due 2025-11-28, given 2025-11-29
    assert "解約の通知" in notice and "2025-11-28" in notice and "2025-11-29" in notice and "missed" in notice
    notices = re.search(r'<section id="notices">.*?</section>', html, re.S).group()
    assert notices.count('<tr id="E') == 1  # the payment obligations are in their own table
    assert "the effect moves to 2026-01-31" in notice
    html = page(DEPENDANTS)
    items = re.findall(r'<tr id="item-\d+">(.*?)</tr>', html, re.S)
    dox = next(re.sub(r"<[^>]+>", " ", i) for i in items if "<code>dox</code>" in i)
    assert "2024-10-15" in dox and "2024-10-31" in dox and "ends with iij_dex" in dox
    assert len(items) == 5  # secure_mx, iij_dex, iij_id_service, iij_id_link, dox (the second dox order is refused)


def test_everything_from_the_contract_is_escaped(tmp_path):
    contract = (ROOT / "tests" / "good" / "minimal.ctr").read_text(encoding="utf-8")
    contract = contract.replace('plan basic "ベーシック";', 'plan basic "<b>ベーシック</b> & \\"x\\"";')
    contract = contract.replace("{ starts contract; }", "{ plan: plan; starts contract, starts plan; }")
    (tmp_path / "c.ctr").write_text(contract, encoding="utf-8")
    scenario = tmp_path / "<customer>.yaml"
    scenario.write_text("contract: c.ctr\nas_of: 2025-05-31\nevents:\n  - {at: 2025-04-01, event: service_start, plan: basic}\n",
                        encoding="utf-8")
    html = page(scenario)
    assert "<b>ベーシック</b>" not in html and "&lt;b&gt;ベーシック&lt;/b&gt; &amp; &quot;x&quot;" in html
    assert "<customer>" not in html and "&lt;customer&gt;" in html


def test_bad_format_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_code:
        main(["explain", "--scenario", str(OUTAGES), "--format", "html"])
    assert exit_code.value.code == 2 and "invalid choice: 'html'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ in Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
_MISSING = "Chromium is not installed (apt-get install chromium chromium-driver): the HTML report is not tested in a browser"


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):  # .ci/run installs Chromium: its absence there is a failure
            pytest.fail(_MISSING)
        pytest.skip(_MISSING)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=ja"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def script_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_browser_reports_script_errors(browser, tmp_path):
    # The check below must be able to fail: a page with a broken script is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><script>notDefined();</script></body></html>", encoding="utf-8")
    browser.get(broken.as_uri())
    assert any("notDefined" in m for m in script_errors(browser))


@pytest.mark.parametrize("scenario", [OUTAGES, DEPENDANTS], ids=lambda p: p.stem)
def test_page_in_chromium(browser, tmp_path, scenario):
    from selenium.webdriver.common.by import By

    path = tmp_path / f"{scenario.stem}.html"
    path.write_text(page(scenario), encoding="utf-8")
    browser.get_log("browser")  # drop what earlier pages left
    browser.get(path.as_uri())
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"  # the script ran through
    ledger = json.loads(run(scenario, "json"))
    kinds = [e["kind"] for e in ledger["entries"]]
    count = lambda selector: len(browser.find_elements(By.CSS_SELECTOR, selector))  # noqa: E731
    assert count("#chart a.mark.obligation") == kinds.count("obligation")
    assert count("#chart a.mark.invoice") == kinds.count("invoice")
    assert count("#chart a.mark.credit") == kinds.count("credit")
    assert count("#chart a.mark.item") == count("#items tbody tr") > 0
    assert count("#chart a.mark.event") == count("#events tbody tr") > 0
    # The chart is drawn at a readable size, not collapsed.
    chart = browser.find_element(By.ID, "chart")
    assert chart.size["width"] > 1000 and chart.size["height"] > 150
    if scenario == OUTAGES:
        assert count("#chart a.mark.outage") == 3
        # A credit on the timeline leads to its line inside the (closed) July invoice, which opens.
        browser.find_element(By.CSS_SELECTOR, '#chart a.mark.credit[href="#E28"]').click()
        assert browser.execute_script("return location.hash") == "#E28"
        assert browser.execute_script("return document.getElementById('E28').closest('details').open") is True
        assert browser.find_element(By.ID, "E28").is_displayed()
        # The filter keeps the rows that mention what is typed.
        field = browser.find_element(By.ID, "filter")
        field.send_keys("ITS-18")
        assert browser.find_element(By.ID, "E35").is_displayed()
        assert not browser.find_element(By.ID, "E14").is_displayed()  # a payment obligation (ITS-6)
        field.clear()
        field.send_keys(" ")  # an input event with nothing but a space shows every row again
        assert browser.find_element(By.ID, "E14").is_displayed()
    assert script_errors(browser) == []
    # Keep a screenshot of the whole page next to it.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 6000))
    shot = tmp_path / f"{scenario.stem}.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
    browser.set_window_size(1280, 1000)
