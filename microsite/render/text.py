"""Short texts made from a page's own words, for its description and its card."""
from __future__ import annotations

import re


def first_sentence(text: str) -> str:
    """Up to the first full stop followed by a capital: what a card has room for ('U.S. immigration' stays whole)."""
    match = re.search(r"[.!?](?=\s+[¿¡]?[A-ZÁÉÍÓÚÑ])", text)
    return text[: match.end()] if match else text
