"""A review round in a real browser: Debian's ``chromium`` driven by Selenium through the
system ``chromedriver`` (nothing is downloaded), against ``assembler serve`` on a real
workspace. A Section opens its link, reads the changes, proposes wording for one clause and
comments on another; the editors decide both, write the accepted wording into the clause and
close the round; the record (``round status --json`` and the git history) holds exactly that.

Set ``ASSEMBLER_SCREENSHOTS=DIR`` to keep full-page screenshots of both pages at desktop and
phone widths.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import test_rounds
import test_site_api
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from test_versions import git

ROUND = test_rounds.ROUND
in_review = test_rounds.in_review
site = test_site_api.site
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PROPOSED = "The harm reduction principle, applied in every context and by every public authority."


@pytest.fixture
def browser(tmp_path, monkeypatch):
    assert CHROMIUM and DRIVER, "install Debian's chromium and chromium-driver (.ci/run does)"
    monkeypatch.setenv("SE_OFFLINE", "true")           # Selenium Manager must not fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1000",
                     "--lang=en-US", "--accept-lang=en-US"):   # the page's words follow the browser's language
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def press(driver, element) -> None:
    """Click ``element`` (a form's button or a link) and wait for the next page to replace
    this one, so nothing below reads the old page."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(old))


def shoot(driver, name: str) -> None:
    """Full-page screenshots at desktop and phone widths, when ASSEMBLER_SCREENSHOTS is set."""
    folder = os.environ.get("ASSEMBLER_SCREENSHOTS")
    if not folder:
        return
    for label, width in (("desktop", 1280), ("phone", 390)):
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 120, 9000))
        driver.save_screenshot(str(Path(folder) / f"{name}-{label}.png"))
    driver.set_window_size(1280, 1000)


def no_policy_violations(driver) -> None:
    """The pages load nothing their Content-Security-Policy refuses (no script, no inline style)."""
    refused = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert refused == []


def test_a_section_and_the_editors_hold_a_round_in_the_browser(site, browser):
    base = f"http://127.0.0.1:{site.port}"
    start = git(site.ws, "rev-parse", "HEAD").strip()

    # --- the Section opens its personal link: the token becomes a cookie and leaves the address
    browser.get(f"{base}/s/{site.tokens['NL']}")
    assert browser.current_url == f"{base}/review/{ROUND}"
    assert "Netherlands Section" in browser.find_element(By.TAG_NAME, "header").text
    send = browser.find_element(By.CSS_SELECTOR, "button[value=send]")
    assert send.value_of_css_property("background-color") == "rgba(31, 78, 121, 1)"   # site.css applies

    # --- reads the changes side by side: rows aligned, the insertion on the right only
    changed = browser.find_element(By.CSS_SELECTOR, "table.sbs tr.changed")
    before, after = changed.find_elements(By.TAG_NAME, "td")
    assert changed.find_element(By.TAG_NAME, "th").text == "4"
    assert before.text == "The harm reduction principle."
    assert after.find_element(By.TAG_NAME, "ins").text.strip(" ,") == "applied in every context"
    # ... and inline, the pack's own HTML redline in its sandboxed frame
    press(browser, browser.find_element(By.LINK_TEXT, "Inline"))
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "iframe[title='Changes inline']"))
    assert "applied in every context" in [e.text.strip(" ,") for e in browser.find_elements(By.TAG_NAME, "ins")]
    browser.switch_to.default_content()

    # --- proposes new wording for paragraph 4: its wording in the editor, a word-diff preview, send
    Select(browser.find_element(By.ID, "paragraph")).select_by_value("4")
    press(browser, browser.find_element(By.CSS_SELECTOR, "button[value=load]"))
    proposed = browser.find_element(By.ID, "proposed")
    assert proposed.get_attribute("value") == "The harm reduction principle, applied in every context."
    proposed.clear()
    proposed.send_keys(PROPOSED)
    browser.find_element(By.ID, "comment").send_keys("Name who must apply it.")
    press(browser, browser.find_element(By.CSS_SELECTOR, "button[value=preview]"))
    preview = browser.find_element(By.CSS_SELECTOR, "form .diff")
    assert [e.text for e in preview.find_elements(By.TAG_NAME, "ins")] == ["and by every public authority"]
    assert [e.text for e in preview.find_elements(By.TAG_NAME, "del")] == []
    assert git(site.ws, "rev-parse", "HEAD").strip() == start                  # a preview records nothing
    press(browser, browser.find_element(By.CSS_SELECTOR, "button[value=send]"))
    assert "Recorded NL-1" in browser.find_element(By.CSS_SELECTOR, ".flash").text

    # --- comments on another clause
    Select(browser.find_element(By.ID, "paragraph")).select_by_value("2")
    browser.find_element(By.ID, "comment").send_keys("Say which commitment <b>exactly</b>.")
    press(browser, browser.find_element(By.CSS_SELECTOR, "button[value=send]"))
    assert "Recorded NL-2" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table.items tbody tr")]
    assert rows[0].startswith("NL-1 4") and rows[1] == "NL-2 2 Say which commitment <b>exactly</b>. not decided yet"
    no_policy_violations(browser)
    shoot(browser, "section")

    # --- the editors: items by paragraph, decide both, write the wording in, close the round
    browser.delete_all_cookies()
    browser.get(f"{base}/s/{site.tokens['editor']}")
    assert "1 of 3 Sections have answered" in browser.find_element(By.TAG_NAME, "header").text
    assert [h.text for h in browser.find_elements(By.TAG_NAME, "h3")] == ["Paragraph 2", "Paragraph 4"]
    edit = browser.find_element(By.ID, "item-NL-1")
    assert [e.text for e in edit.find_elements(By.CSS_SELECTOR, ".diff ins")] == ["and by every public authority"]
    shoot(browser, "editor")
    for item, decision, note in (("NL-1", "accepted", "Taken as proposed."), ("NL-2", "noted", "")):
        card = browser.find_element(By.ID, f"item-{item}")
        Select(card.find_element(By.NAME, "decision")).select_by_value(decision)
        card.find_element(By.NAME, "note").send_keys(note)
        press(browser, card.find_element(By.CSS_SELECTOR, "form.decide button"))
        assert f"Recorded the decision on {item}" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    press(browser, browser.find_element(By.ID, "item-NL-1").find_element(By.CSS_SELECTOR, "form.apply button"))
    assert "Wrote NL-1 into clauses/resolution/harm-reduction.md" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    browser.find_element(By.ID, "message").send_keys("Answer the Sections' first round")
    press(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/close'] button"))
    assert "Closed the round: version 3 answers it." in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert browser.find_elements(By.CSS_SELECTOR, "form.decide") == []          # a closed round takes nothing
    no_policy_violations(browser)

    # --- the record: exactly those items, from the Section, decided, answered by v3
    status = json.loads(site.ws.run("round", "status", ROUND, "--json").stdout)
    items = {i["id"]: i for i in status["feedback"]}
    assert sorted(items) == ["NL-1", "NL-2"]
    assert (items["NL-1"]["kind"], items["NL-1"]["number"], items["NL-1"]["proposed"],
            items["NL-1"]["comment"]) == ("edit", "4", PROPOSED, "Name who must apply it.")
    assert (items["NL-2"]["kind"], items["NL-2"]["number"], items["NL-2"]["comment"]) == \
        ("comment", "2", "Say which commitment <b>exactly</b>.")
    assert status["decisions"] == {"NL-1": "accepted", "NL-2": "noted"}
    assert (items["NL-1"]["section"], items["NL-1"]["note"], items["NL-2"]["section"]) == ("NL", "Taken as proposed.", "NL")
    assert status["state"] == "closed"
    log = git(site.ws, "log", "--format=%an|%s", f"{start}..HEAD").splitlines()
    feedback = [line for line in log if line.startswith("Netherlands Section|")]
    assert feedback == ["Netherlands Section|Feedback from Netherlands Section on round 'Section review 1' (1 items)"] * 2
    assert len(log) == 5 and log[0].split("|", 1)[1] == "Answer the Sections' first round"
    clause = git(site.ws, "show", "HEAD:versions/resolution/resolution.md")
    assert PROPOSED in clause
    assert git(site.ws, "status", "--porcelain").strip() == ""                  # everything recorded
