"""Module imports turned into runtime lookups, as CloudFront's runtime loads them.

CloudFront's runtime takes ``import cf from 'cloudfront'`` anywhere at the top level, on a
line with other code too, and hoists it (``spec/runtime-2.0.md`` §2 and §6.9); QuickJS runs the
function as a script, where ``import`` is not allowed. :func:`to_script` finds the top-level
imports with the same parser as the load-time check, blanks each one where it stands and declares
its bindings at the start of the first line, so every line keeps its number.
"""

from __future__ import annotations

import functools
import json

from cfmock._runtime import syntax

_CACHE_SIZE = 256
_HIDE = "delete this.__cfmock_import;"
"""Once the imports are resolved, the lookup leaves the global object (at the top level of a
script, ``this`` is the global object and no declaration can shadow it)."""
_HEADER = "'use strict';" + _HIDE


@functools.lru_cache(maxsize=_CACHE_SIZE)
def to_script(code: str) -> str:
    """*code* as a strict-mode script: its imports become ``__cfmock_import(name)`` lookups.

    ``import cf from 'cloudfront'`` becomes ``const cf = __cfmock_import("cloudfront");``,
    ``import * as cf`` the same, ``import { kvs as k }`` ``const { kvs: k } = …``, and
    ``import 'x'`` a bare lookup. Imports that are not at the top level are left for the
    engine to refuse.
    """
    if "import" not in code:
        return _HEADER + code
    source = code.encode("utf-8", errors="surrogatepass")
    tree = syntax.parser().parse(source)
    declarations: list[str] = []
    edited = bytearray(source)
    for node in tree.root_node.children:
        if node.type != "import_statement":
            continue
        declarations.extend(_declarations(node, source))
        for index in range(node.start_byte, node.end_byte):
            if edited[index] not in b"\r\n":
                edited[index] = 0x20
    if not declarations:
        return _HEADER + code
    body = bytes(edited).decode("utf-8", errors="surrogatepass")
    return "'use strict';" + "".join(declarations) + _HIDE + body


def _declarations(node: syntax.Node, source: bytes) -> list[str]:
    module_node = node.child_by_field_name("source")
    if module_node is None:
        return []
    raw = source[module_node.start_byte + 1 : module_node.end_byte - 1]
    lookup = f"__cfmock_import({json.dumps(raw.decode('utf-8', errors='replace'))})"
    clause = next((child for child in node.children if child.type == "import_clause"), None)
    if clause is None:
        return [f"{lookup};"]
    found: list[str] = []
    for part in clause.children:
        text = source[part.start_byte : part.end_byte].decode("utf-8", errors="replace")
        if part.type == "identifier":
            found.append(f"const {text} = {lookup};")
        elif part.type == "namespace_import":
            found.append(f"const {text.split()[-1]} = {lookup};")
        elif part.type == "named_imports":
            names = [
                _specifier(specifier, source)
                for specifier in part.children
                if specifier.type == "import_specifier"
            ]
            found.append(f"const {{{', '.join(names)}}} = {lookup};")
    return found


def _specifier(node: syntax.Node, source: bytes) -> str:
    names = [
        source[child.start_byte : child.end_byte].decode("utf-8", errors="replace")
        for child in node.children
        if child.type in ("identifier", "string")
    ]
    return f"{names[0]}: {names[-1]}" if len(names) == 2 else names[0]
