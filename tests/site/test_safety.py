"""Content cannot inject script: every payload is escaped or refused with a located error."""
from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import run, write

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg onload=alert(3)>'


class Live(HTMLParser):
    """Collects what a browser would run: script elements, event handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "svg", "img") and not (
            tag == "script" and dict(attrs).get("src", "").endswith(".js") and "assets/" in dict(attrs).get("src", "")
        ) and not (tag == "svg" and dict(attrs).get("class") == "relation-map"):  # the build's own map
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and value and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value[:20]}]")


def live_code(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = Live()
        parser.feed(page.read_text())
        found += [f"{page.relative_to(site)}: {item}" for item in parser.found]
    return found


def test_payloads_in_every_field_are_escaped(project, capsys):
    write(project, "content/sources/report-2020.yaml", (
        f"title: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\npublisher: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"kind: report\nquotes:\n  - '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"note: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
    ))
    write(project, "content/companies/acme.md", (
        f"---\nname: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\nsummary: 'S {PAYLOAD.replace(chr(39), chr(39) * 2)} [@report-2020]'\n"
        f"figures:\n  - label: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n    value: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"    cite: 'report-2020, {PAYLOAD.replace(chr(39), chr(39) * 2).replace(',', ' ')}'\n---\n"
        f"{PAYLOAD}\n\n<div onclick=alert(4)>raw</div>\n\nA claim [@report-2020, <b onmouseover=alert(5)>p. 4</b>].\n"
        "\n[@daily-2020-01-02]\n"
    ))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert live_code(project.root / "site") == []
    acme = (project.root / "site/companies/acme.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in acme  # shown to the reader as text


def test_script_links_never_reach_a_page(project, capsys):
    write(project, "content/companies/acme.md", (
        "---\nname: Acme\nsummary: 'S [x](javascript:alert(1)) [@report-2020]'\n---\n"
        "[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)> [@daily-2020-01-02]\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert err.count("unsafe link") == 4
    assert not (project.root / "site").exists()


def test_external_links_carry_noopener_noreferrer(project, capsys):
    write(project, "content/companies/acme.md", (
        "---\nname: Acme\nsummary: S [@report-2020]\n---\nSee [the site](https://example.com/x) [@daily-2020-01-02].\n"
    ))
    assert run(project, "build", capsys=capsys)[0] == 0
    html = (project.root / "site/companies/acme.html").read_text()
    assert '<a href="https://example.com/x" rel="noopener noreferrer">the site</a>' in html
    assert '<a href="https://news.example.org/acme" rel="noopener noreferrer">' in html


# --- In the browser: every payload, in every place content can put text, stays inert. ---------

import pytest  # noqa: E402
import yaml  # noqa: E402


def _js(n: int) -> str:
    return f"(window.pwned={n},alert({n}))"


PAYLOADS = [
    "<script>{js}</script>",
    '<img src=x onerror="{js}">',
    "<svg onload={js}>",
    '"><script>{js}</script>',
    "'><img src=x onerror='{js}'>",
    "</title><script>{js}</script>",
    "</textarea></style></script><script>{js}</script>",
    '<iframe src="javascript:{js}"></iframe>',
    '<a href="javascript:{js}">click</a>',
    '<math><mtext><table><mglyph><style><img src=x onerror="{js}">',
    '<details open ontoggle="{js}">x</details>',
    '<body onload="{js}">',
    '<!--><img src=x onerror="{js}">-->',
    '<object data="data:text/html,<script>{js}</script>"></object>',
    '<input autofocus onfocus="{js}">',
    "\u2028\u2029<script>{js}</script>",
    '<a href="&#106;avascript:{js}">x</a>',
    "<scr<script>ipt>{js}</scr</script>ipt>",
]
CORPUS = [p.replace("{js}", _js(n)) for n, p in enumerate(PAYLOADS, 1)]
TEMPLATE = "{{ 7*7 }}{% raw %}${7*7}"  # reaches the page as these characters, never evaluated


def _yaml(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10_000)


def hostile_project(project):
    """The mini project with a payload in every field, locator, heading, link title and body."""
    # YAML refuses U+2028 (a line break to YAML, invisible in editors): that payload goes only
    # into Markdown.
    fields = [p for p in CORPUS if "\u2028" not in p]
    many = " ".join(fields)
    # Locators end at ';' or ']', so those payloads go in without them.
    locators = [p for p in CORPUS if ";" not in p and "]" not in p]
    write(project, "content/sources/hostile.yaml", _yaml({
        "title": many, "publisher": many, "kind": "report", "author": many,
        "url": "https://example.org/?q=\"><script>" + _js(90) + "</script>",
        # Marks in the payloads make quotations: these excerpts hold them, as written and as Markdown
        # reads them (character references decoded), so the build goes on to show them.
        "quotes": [*fields, many, *(html.unescape(p) for p in fields)], "note": TEMPLATE + many,
        # The payloads' numbers (`_js(n)`) stand in cited claims, which must hold only what their
        # sources record (`resolve/numbers.py`): this source records them all.
        "facts": [" ".join(map(str, range(1000)))],
    }))
    front = {
        "name": TEMPLATE + CORPUS[0],
        "summary": "S " + many + " [@hostile]",
        "figures": [
            {"label": p, "value": p, "note": p, "cite": f"hostile, {p.replace(',', ' ')}"} for p in fields
        ],
    }
    ledger = {"name": many, "summary": "S [@hostile]", "vendors": [{"id": "acme", "role": many, "cite": "hostile"}]}
    write(project, "content/systems/ledger.md", f"---\n{_yaml(ledger)}---\n{many} [@hostile]\n")
    body = "\n\n".join(
        [f"## {p}\n\n{p} [@hostile, {locators[i % len(locators)]}]" for i, p in enumerate(CORPUS)]
        + [f'[plain link](https://example.org/ "{p.replace(chr(34), chr(39))}") [@hostile]' for p in CORPUS]
        + [f"`{p}`\n\n```{p.splitlines()[0] if p.strip() else 'x'}\n{p}\n```" for p in CORPUS]
        + ["[@daily-2020-01-02]", TEMPLATE]
    )
    write(project, "content/companies/acme.md", f"---\n{_yaml(front)}---\n{body}\n")
    write(project, "content/pages/about.md", f"---\n{_yaml({'title': many, 'summary': many + ' [@hostile]', 'show_changes': True})}---\n{many} [@hostile]\n")
    write(project, "content/changes.yaml", _yaml([{"date": "2020-04-01", "text": many}]))
    site_yaml = project.root / "content/site.yaml"
    config = yaml.safe_load(site_yaml.read_text())
    config.update(title=CORPUS[5], tagline=many)
    config["kinds"]["companies"]["intro"] = many
    site_yaml.write_text(_yaml(config))


# What could run in the DOM the browser built: event-handler attributes, script URLs, frames,
# inline style or script, or a payload's code ("pwned=") in an attribute that loads or styles
# something (outside an http(s) address). The site's own scripts load from files; its search box and map are markup
# of the templates and carry no marker.
INERT_JS = """() => {
  const live = [];
  const LOADING_ATTRIBUTES = ['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction', 'data', 'poster',
    'background', 'ping', 'style', 'http-equiv', 'codebase'];
  for (const e of document.querySelectorAll('*')) {
    const tag = e.tagName.toUpperCase();
    for (const a of e.attributes) {
      const v = a.value.trim().toLowerCase();
      if (a.name.startsWith('on')) live.push(`${tag}[${a.name}]`);
      else if (a.name === 'srcdoc' || /^(javascript|vbscript|data:text)/.test(v.replace(/[\\s\\0]/g, '')))
        live.push(`${tag}[${a.name}=${v.slice(0, 30)}]`);
      else if (v.includes('pwned=') && LOADING_ATTRIBUTES.includes(a.name) && !/^https?:\\/\\//.test(v))
        live.push(`${tag}[${a.name}] carries a payload`);
    }
    if (['IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'BASE', 'STYLE'].includes(tag)) live.push(tag);
    if (tag === 'SCRIPT' && !e.src && !/json/.test(e.type)) live.push('inline SCRIPT');
  }
  return {live, pwned: window.pwned === undefined ? null : window.pwned};
}"""


def inert_everywhere(browser, site, bypass_csp: bool) -> tuple[int, list[str]]:
    """Open every page, focus and hover every element; return (pages, what ran or could run)."""
    context = browser.new_context(bypass_csp=bypass_csp)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    found: list[str] = []
    page.on("dialog", lambda d: (found.append(f"{page.url}: dialog {d.message}"), d.dismiss()))
    pages = sorted(site.rglob("*.html"))
    for path in pages:
        page.goto(path.as_uri())
        page.keyboard.press("Tab")
        page.mouse.move(200, 200)
        state = page.evaluate(INERT_JS)
        found += [f"{path.relative_to(site)}: {item}" for item in state["live"]]
        if state["pwned"] is not None:
            found.append(f"{path.relative_to(site)}: window.pwned = {state['pwned']}")
    context.close()
    return len(pages), found


@pytest.mark.browser
def test_no_payload_runs_in_the_browser(project, browser, capsys):
    hostile_project(project)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    site = project.root / "site"
    acme = (site / "companies/acme.html").read_text()
    assert "{{ 7*7 }}{% raw %}${7*7}" in acme.replace("&#39;", "'")  # the template text, shown as written
    assert "&lt;script&gt;(window.pwned=1,alert(1))&lt;/script&gt;" in acme  # shown as text
    assert live_code(site) == []
    # With the page's CSP bypassed, so that escaping alone is tested; then as readers get it.
    for bypass in (True, False):
        pages, found = inert_everywhere(browser, site, bypass_csp=bypass)
        assert pages >= 8 and found == []
    # Search results are built from the same text in the reader's browser.
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((site / "index.html").as_uri())
    for query in ("report", "acme", "onerror"):
        page.fill("#search-input", query)
        page.wait_for_selector(".search-results li", timeout=10_000)
        state = page.evaluate(INERT_JS)
        assert state == {"live": [], "pwned": None} and dialogs == [], query
    assert "pwned" in page.inner_text(".search-results")  # the payload is shown, as text
    page.close()


@pytest.mark.browser
def test_the_inertness_check_catches_a_live_payload(browser, tmp_path):
    """The check above can fail: an unescaped payload is reported, in the DOM and when it runs."""
    (tmp_path / "x.html").write_text(
        f"<!doctype html><title>x</title><p>{CORPUS[1]} {CORPUS[10]}</p><a href=\"javascript:{_js(3)}\">x</a>"
    )
    _, found = inert_everywhere(browser, tmp_path, bypass_csp=True)
    text = "\n".join(found)
    assert "IMG[onerror]" in text and "DETAILS" in text and "A[href=javascript:" in text
    assert "window.pwned = " in text and "dialog 2" in text


UNSAFE_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x",
]


def test_unsafe_addresses_are_refused_with_their_location(project, capsys):
    for n, address in enumerate(UNSAFE_URLS):
        write(project, f"content/sources/bad-{n}.yaml", _yaml({"title": "T", "publisher": "P", "kind": "report", "url": address}))
    links = " ".join(f"[l{n}]({a.strip()})" for n, a in enumerate(UNSAFE_URLS) if " " not in a.strip())
    write(project, "content/companies/acme.md", (
        "---\nname: Acme\nsummary: S [@report-2020]\n---\n"
        f"{links} <javascript:alert(2)> [r][ref] ![i](javascript:alert(3))\n\n[ref]: JAVASCRIPT:alert(4)\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    lines = err.splitlines()
    for n in range(len(UNSAFE_URLS)):
        assert any(line.startswith(f"content/sources/bad-{n}.yaml:4:") for line in lines), UNSAFE_URLS[n]
    acme = [line for line in lines if line.startswith("content/companies/acme.md:5:")]
    assert len(acme) == len(UNSAFE_URLS) + 3, "\n".join(acme)
    assert not (project.root / "site").exists()


@pytest.mark.parametrize("name", [
    'x"><script>alert(1)<', "<img src=x onerror=alert(1)>", "javascript:alert(1)", "a.b", "a b", "ACME", "ａｃｍｅ", "acme\u202eexe",
])
def test_hostile_file_names_are_refused_with_their_location(project, capsys, name):
    try:
        write(project, f"content/companies/{name}.md", "---\nname: X\nsummary: S [@report-2020]\n---\n")
    except OSError:
        pytest.skip("this file system refuses the name")
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    shown = name.replace("\u202e", "\\u202e")  # a character that reorders the terminal's line, shown escaped
    assert err.startswith(f"content/companies/{shown}.md:1:1: bad slug")


@pytest.mark.browser
def test_the_preview_shows_a_hostile_error_as_text(project, browser, tmp_path):
    from microsite.preview.serve import Preview

    write(project, "content/sources/report-2020.yaml", _yaml({"title": "T", "publisher": "P", "kind": CORPUS[1]}))
    preview = Preview(project, tmp_path / "preview")
    assert preview.rebuild() is False
    pages, found = inert_everywhere(browser, tmp_path / "preview", bypass_csp=True)
    assert pages == 1 and found == []
    assert "onerror" in (tmp_path / "preview/index.html").read_text()  # shown, escaped


def test_every_page_carries_the_strict_policies(real_site):
    """The CSP meta tag forbids scripts from anywhere but the site; no page sends a referrer."""
    import re

    pages = sorted(real_site.rglob("*.html"))
    for page in pages:
        head = page.read_text().split("</head>")[0]
        (csp,) = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
        rules = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
        assert rules["default-src"] == ["'none'"], page
        assert rules["script-src"] == ["'self'"], page
        assert rules["base-uri"] == ["'none'"] and rules["form-action"] == ["'none'"], page
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "*" not in csp, page
        assert '<meta name="referrer" content="no-referrer">' in head, page
        assert head.index("Content-Security-Policy") < head.index("<link"), "the policy comes before any resource"


@pytest.mark.browser
def test_the_policy_stops_injected_script_in_the_browser(page, real_site):
    page.goto((real_site / "index.html").as_uri())
    page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.head.append(s);
        const r = document.createElement('script'); r.src = 'https://example.org/x.js'; document.head.append(r);
    }""")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("document.referrer === '' && document.querySelector('meta[name=referrer]').content") == "no-referrer"
