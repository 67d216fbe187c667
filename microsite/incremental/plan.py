"""What to keep and what to make: each output's key against what the last build wrote.

An output is kept when it is in the output folder as the last build wrote it (same stat) and its
key (`deps.py`: a hash of the inputs it reads) is the one it was written under; everything else is
made. What no page reads (the search index, the downloads, the sitemap: `pipeline/late.py`) is
keyed by its own bytes, so it is made before it can be judged; in the preview it is made after the
reload, the last versions standing in meanwhile (`deferred`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .state import Manifest
from ..render.facts import timeline_facts
from ..resolve.site import Site
from ..store.cache import digest, engine_digest
from ..write import FileStat


@dataclass
class Plan:
    previous: Manifest  # what the last build wrote into the folder
    current: dict[str, FileStat]  # what is there now: a file changed or added by hand is noticed
    keys: dict[str, str]  # every output -> the key of its inputs (late ones: their last, until made)
    late: frozenset[str]  # made after the pages, keyed by their bytes
    in_place: bool  # the preview, which may make the late outputs after this build
    deferred: bool = field(init=False)  # it does: every late output is as the last build wrote it
    keep: set[str] = field(init=False)  # outputs as the last build wrote them, still right

    def __post_init__(self) -> None:
        self.deferred = self.in_place and all(self.as_written(name) for name in self.late)
        self.keys.update({name: self.previous.files.get(name, ("",))[0] for name in self.late})  # as they are, for now
        self.keep = {n for n, key in self.keys.items() if self.unchanged(n, key) and (self.deferred or n not in self.late)}

    def as_written(self, name: str) -> bool:
        """The file is in the output as the last build wrote it."""
        return name in self.previous.files and self.current.get(name) == self.previous.files[name][1]

    def unchanged(self, name: str, key: str) -> bool:
        return self.as_written(name) and self.previous.files[name][0] == key

    def to_make(self, names) -> list[str]:
        """Those of `names` to make now (not kept, not late)."""
        return [n for n in names if n not in self.keep and n not in self.late]

    def settle(self, name: str, key: str) -> bool:
        """A late output's key, once made: whether it is kept as it was."""
        self.keys[name] = key
        if self.unchanged(name, key):
            self.keep.add(name)
            return True
        return False

    @property
    def pages_to_make(self) -> bool:
        """Whether anything but the late outputs is to be made (so workers are to be forked)."""
        return any(n not in self.keep and n not in self.late for n in self.keys)

    @property
    def writes(self) -> bool:
        """Whether the folder must change: an output to make, or a file to remove."""
        return set(self.current) != self.keep or not self.keep.issuperset(self.keys)


def plan_outputs(
    previous: Manifest, current: dict[str, FileStat], keys: dict[str, str], late: list[str], in_place: bool,
) -> Plan:
    """`keys`: every output's but the late ones'; `in_place`: the preview, which may defer those."""
    return Plan(previous, current, dict(keys), frozenset(late), in_place)


def site_wide_fingerprints(site: Site, preview: bool, templates: str, timeline: str | None = None) -> dict[str, str]:
    """Fingerprints of what every page reads besides its own inputs. `timeline`: the timeline's,
    when known unchanged (the preview's quick path, where no saved file changed a dated fact:
    making it reads every entity, 0.2 s a save at 5,000)."""
    content = site.content
    return {
        "engine": engine_digest(),
        "config": digest(repr(content.config)),
        "templates": templates,
        "preview": str(preview),
        "nav": digest(repr([(p.title, p.output) for p in content.pages_in_order()])),
        "changes": digest(repr(content.changes)),
        # The timeline's facts (figures' dates, events, dated sources, the change log): read by the
        # timeline alone; a save changing one renders it again on the preview's quick path (edits.py).
        "timeline": timeline or digest(repr(timeline_facts(site))),
    }
