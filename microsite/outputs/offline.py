"""The offline copy: the whole site in one zip, to pass on by hand and read from disk.

Unzipped anywhere, it is a folder whose index.html opens the site: every link between pages is
relative and names a real file, so nothing needs a server. Files only a web host uses (.nojekyll,
CNAME, the 404 page) and the social cards (only link previews fetch them) are left out. Entries are
sorted and dated 1980-01-01 with fixed permissions, so the same site always gives the same zip.
"""
from __future__ import annotations

import io
import zipfile

from ..addresses import NOT_FOUND

FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
HOSTING_ONLY = (".nojekyll", "CNAME", NOT_FOUND, "robots.txt")


def offline_files(outputs: dict[str, bytes]) -> list[str]:
    return sorted(
        name for name in outputs
        if name not in HOSTING_ONLY and name.rpartition("/")[2] != NOT_FOUND and not name.startswith("cards/")
    )  # a 404 page in another language (`es/404.html`) is for hosts too


def offline_zip(folder: str, outputs: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in offline_files(outputs):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=FIXED_DATE)
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = 0o644 << 16
            already_compressed = name.endswith((".png", ".jpg", ".webp", ".gif", ".zip", ".woff2"))
            info.compress_type = zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED
            archive.writestr(info, outputs[name], compresslevel=9)
    return buffer.getvalue()
