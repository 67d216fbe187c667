"""Accessibility of every page type, in Chromium: axe-core (pinned in package-lock.json, injected
from node_modules) finds no serious or critical violation, in light and in dark mode; the
keyboard reaches every link, and the focused link shows a visible outline."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import real_content
from tests.conftest import npm_tool

pytestmark = pytest.mark.browser

CONTRAST_RULES = ["color-contrast", "link-in-text-block"]


def page_types(site: Path) -> list[str]:
    """One page of each type: every top-level page, each section's index and one entry of it."""
    chosen = sorted(p.name for p in site.glob("*.html"))
    for section in sorted(p for p in site.iterdir() if p.is_dir() and (p / "index.html").is_file()):
        entries = sorted(p.name for p in section.glob("*.html") if p.name != "index.html")
        chosen += [f"{section.name}/index.html"] + [f"{section.name}/{e}" for e in entries[:1]]
    return chosen


def serious(result: dict) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]} {v['nodes'][0].get('failureSummary', '')}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def base_url() -> str:
    import yaml

    from tests.conftest import REPO

    return yaml.safe_load((REPO / "content/site.yaml").read_text())["base_url"]


def serve_at_base_url(context, site: Path) -> str:
    """Answer requests for the site's own address from the built files, as if it were published
    (the 404 page links absolutely to it); refuse every other request."""
    base = base_url()

    def answer(route):
        url = route.request.url.split("#")[0].split("?")[0]
        path = site / url[len(base):] if url.startswith(base) else None
        if path is not None and path.is_file():
            route.fulfill(path=str(path))
        else:
            route.abort()

    context.route("**/*", answer)
    return base


@pytest.fixture(scope="module")
def axe_page(browser, real_site):
    # The pages' CSP forbids inline script, so axe is injected with the CSP bypassed.
    context = browser.new_context(bypass_csp=True)
    serve_at_base_url(context, real_site)
    yield context.new_page()
    context.close()


def test_axe_finds_no_serious_violation_in_light_or_dark_mode(axe_page, real_site: Path):
    axe = npm_tool("axe-core/axe.min.js").read_text()
    names = page_types(real_site)
    kinds = real_content.site().content.config.kinds
    assert {"index.html", "sources.html", "404.html", *(f"{k.id}/index.html" for k in kinds)} <= set(names)
    found, backgrounds = [], set()
    for name in names:
        axe_page.goto(base_url() + name)
        axe_page.add_script_tag(content=axe)
        for scheme in ("light", "dark"):
            axe_page.emulate_media(color_scheme=scheme)
            backgrounds.add(axe_page.evaluate("getComputedStyle(document.body).backgroundColor"))
            rules = {} if scheme == "light" else {"runOnly": {"type": "rule", "values": CONTRAST_RULES}}
            result = axe_page.evaluate("opts => axe.run(document, opts)", {**rules, "resultTypes": ["violations"]})
            found += [f"{name} [{scheme}] {v}" for v in serious(result)]
    assert len(backgrounds) == 2, "dark mode must change the colours, or its contrast is not tested"
    assert found == []


def test_axe_reports_what_it_finds(axe_page, tmp_path: Path):
    """The check above can fail: a pale link and an image without text are caught."""
    axe = npm_tool("axe-core/axe.min.js").read_text()
    bad = tmp_path / "bad.html"  # set as the page's content: the route refuses other addresses
    bad.write_text(
        '<!doctype html><html lang="en"><title>t</title><body style="background:#fff">'
        '<p style="color:#ccc">pale text</p><a href="x.html"><img src="x.png"></a></body></html>'
    )
    axe_page.set_content(bad.read_text())
    axe_page.add_script_tag(content=axe)
    ids = {v.split(" ")[0] for v in serious(axe_page.evaluate("axe.run(document)"))}
    assert {"color-contrast", "link-name"} <= ids


# Marks every rendered link, then logs each element that receives focus, with its focus style.
WATCH_FOCUS_JS = """() => {
  const links = [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length > 0);
  links.forEach((a, i) => a.dataset.tabCheck = String(i));
  window.focusLog = [];
  document.addEventListener('focusin', event => {
    const e = event.target, s = getComputedStyle(e);
    window.focusLog.push({index: e.dataset.tabCheck ?? null, tag: e.tagName, outline: s.outlineStyle,
      width: parseFloat(s.outlineWidth), shadow: s.boxShadow, visible: e.getClientRects().length > 0});
  });
  const controls = document.querySelectorAll('input, button, select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  return [links.length, [...controls].filter(e => e.getClientRects().length > 0 && !e.disabled).length];
}"""


def tab_through(page, presses: int) -> list[dict]:
    for _ in range(presses):
        page.keyboard.press("Tab")
    return page.evaluate("window.focusLog")


def shows_focus(focused: dict) -> bool:
    """An outline of 2px or more, the browser's own ring ('auto'), or a box shadow."""
    outline = focused["outline"] == "auto" or (focused["outline"] != "none" and focused["width"] >= 2)
    return focused["visible"] and (outline or focused["shadow"] != "none")


def focus_changes_pixels(page, index: str | None) -> bool:
    """For focus drawn some other way than an outline (a map box that thickens its border): the
    element and its surroundings must look different focused and unfocused."""
    if index is None:
        return False
    link = page.locator(f'[data-tab-check="{index}"]')
    link.focus()
    box = link.bounding_box()
    if not box:
        return False
    clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12, "height": box["height"] + 12}
    focused = page.screenshot(clip=clip)
    page.evaluate("document.activeElement.blur()")
    return page.screenshot(clip=clip) != focused


def test_tab_reaches_every_link_with_a_visible_focus(browser, real_site: Path):
    context = browser.new_context()
    base = serve_at_base_url(context, real_site)
    page = context.new_page()
    for name in page_types(real_site):
        page.goto(base + name)
        count, controls = page.evaluate(WATCH_FOCUS_JS)
        log = tab_through(page, count + controls)
        links = [int(f["index"]) for f in log if f["index"] is not None]
        assert links == list(range(count)), f"{name}: the keyboard skips links or goes out of order"
        unclear = [f for f in log if not shows_focus(f) and not focus_changes_pixels(page, f["index"])]
        assert unclear == [], f"{name}: focused links that look the same as unfocused"
    # Dark mode: the first stretch of each page (navigation, first citations) still shows focus.
    page.emulate_media(color_scheme="dark")
    for name in page_types(real_site):
        page.goto(base + name)
        page.evaluate(WATCH_FOCUS_JS)
        log = tab_through(page, 12)
        unclear = [f for f in log if not shows_focus(f) and not focus_changes_pixels(page, f["index"])]
        assert log and unclear == [], f"{name} [dark]: focus not visible"
    context.close()
