"""`check --external`: every source's address requested, to find the ones gone or moved.

Addresses rot: a report's PDF moves between versions, an article is taken down. This asks each
source's `url` once (HEAD, or GET where a server refuses HEAD), a few at a time, under a
User-Agent that says what is asking and why, and reports each address gone (an error status, a
name that does not resolve, no answer) or moved (a redirect to another address) at the source
file's `url:` line, with the Wayback Machine's lookup for that address. Only the standard library:
it runs where the site is built, and never from a reader's browser.
"""
from __future__ import annotations

import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import Location, Problems
from .model import Source

TIMEOUT = 20.0  # seconds a server may take to answer
WORKERS = 4  # requests at a time: enough to finish soon, few enough to burden no one
USER_AGENT = "microsite-link-check/1 (checks that the sources a site cites are still online; {site})"
ARCHIVE_LOOKUP = "https://web.archive.org/web/*/{url}"


@dataclass(frozen=True)
class Answer:
    """What a server said to one address: its status (None when nothing answered), where it
    redirects, and why nothing answered."""

    status: int | None
    location: str | None = None
    error: str = ""


@dataclass(frozen=True)
class Finding:
    source: Source
    answer: Answer

    @property
    def url(self) -> str:
        return self.source.url or ""

    @property
    def moved_to(self) -> str | None:
        """The other address a redirect leads to (a redirect to the same address is no move)."""
        if self.answer.status is None or not 300 <= self.answer.status < 400 or not self.answer.location:
            return None
        target = urljoin(self.url, self.answer.location)
        return None if target == self.url else target

    @property
    def gone(self) -> bool:
        return self.answer.status is None or self.answer.status >= 400

    def message(self) -> str:
        archive = ARCHIVE_LOOKUP.format(url=self.url)
        if self.gone:
            said = f"answered {self.answer.status}" if self.answer.status else self.answer.error
            return (
                f"address gone: {self.url} {said}; look for an archived copy at {archive} and give it "
                "as archive_url:, or correct url:"
            )
        return (
            f"address moved: {self.url} redirects ({self.answer.status}) to {self.moved_to}; if it is the "
            f"same document, put the new address in url:, else look for an archived copy at {archive}"
        )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed: where it leads is the news."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def request(url: str, user_agent: str, timeout: float = TIMEOUT) -> Answer:
    """HEAD the address, then GET it if the server refuses HEAD (405, 501)."""
    answer = _ask(url, "HEAD", user_agent, timeout)
    if answer.status in (405, 501):
        answer = _ask(url, "GET", user_agent, timeout)
    return answer


def _ask(url: str, method: str, user_agent: str, timeout: float) -> Answer:
    opener = urllib.request.build_opener(_NoRedirects)
    req = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent, "Accept": "*/*"})
    try:
        with opener.open(req, timeout=timeout) as response:
            return Answer(response.status)
    except urllib.error.HTTPError as e:  # an error status, or a redirect not followed
        try:
            return Answer(e.code, e.headers.get("Location"))
        finally:
            e.close()
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, socket.gaierror):
            return Answer(None, error="has a name that does not resolve (DNS)")
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Answer(None, error=f"did not answer within {timeout:g} s")
        return Answer(None, error=f"could not be reached ({reason})")
    except (TimeoutError, socket.timeout):
        return Answer(None, error=f"did not answer within {timeout:g} s")
    except (OSError, ValueError) as e:
        return Answer(None, error=f"could not be reached ({e})")


def check_external(
    sources: dict[str, Source], site: str, problems: Problems, timeout: float = TIMEOUT, workers: int = WORKERS
) -> int:
    """Request every source address; report each gone or moved at its `url:` line. Returns how
    many addresses were asked."""
    with_url = [s for _, s in sorted(sources.items()) if s.url]
    agent = USER_AGENT.format(site=site)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda s: request(s.url, agent, timeout), with_url))
    for source, answer in zip(with_url, answers):
        finding = Finding(source, answer)
        if finding.gone or finding.moved_to:
            problems.error(source.url_at or Location(source.location.path, 1, 1), finding.message())
    return len(with_url)
