"""Creation-ordered indexes with opaque markers, so a page costs the same at any size."""

from __future__ import annotations

import base64
import binascii
import bisect
import re

from cfmock._cloudfront.validation import invalid

_MARKER_PREFIX = "cfmock-page:"
# [0-9], not \d or str.isdigit(): those also take "²" (which int() refuses) and "٣" or full-width
# digits (which int() reads as 3).
_COUNT = re.compile(r"[0-9]{1,18}")


def parse_count(text: str) -> int | None:
    """*text* as a count or offset (1 to 18 ASCII digits), or ``None`` if it is not one."""
    return int(text) if _COUNT.fullmatch(text) else None


def encode_marker(sequence: int) -> str:
    """An opaque marker meaning "after the item with this creation sequence number"."""
    return base64.urlsafe_b64encode(f"{_MARKER_PREFIX}{sequence}".encode()).decode().rstrip("=")


def decode_marker(marker: str) -> int:
    """The sequence number in *marker*, or ``InvalidArgument`` if it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
        if text.startswith(_MARKER_PREFIX):
            sequence = parse_count(text[len(_MARKER_PREFIX) :])
            if sequence is not None:
                return sequence
    except (ValueError, binascii.Error):
        pass
    raise invalid(f"The marker {marker!r} is not valid. Pass the NextMarker of a previous page.")


class OrderedIndex:
    """Keys in creation order (ascending sequence numbers), paged by binary search."""

    def __init__(self) -> None:
        self._sequences: list[int] = []
        self._keys: dict[int, str] = {}

    def add(self, sequence: int, key: str) -> None:
        """Insert *key*; sequences usually arrive in order, so this is an append."""
        if sequence in self._keys:
            return
        bisect.insort(self._sequences, sequence)
        self._keys[sequence] = key

    def remove(self, sequence: int) -> None:
        """Drop the key with *sequence*, if present."""
        if self._keys.pop(sequence, None) is not None:
            del self._sequences[bisect.bisect_left(self._sequences, sequence)]

    def page(self, after: int | None, limit: int) -> tuple[list[str], int | None]:
        """Up to *limit* keys created after *after*, and the sequence to continue from."""
        start = 0 if after is None else bisect.bisect_right(self._sequences, after)
        sequences = self._sequences[start : start + limit]
        more = start + limit < len(self._sequences)
        return [self._keys[s] for s in sequences], (sequences[-1] if more and sequences else None)
