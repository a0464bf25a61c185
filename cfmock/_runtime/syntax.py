"""The load-time check of ``cloudfront-js-2.0``: what CloudFront's runtime refuses to compile.

CloudFront's runtime is a fork of njs 0.8.x, which compiles ES 5.1 plus a list of later features
and stops at the first construct it does not know (``spec/runtime-2.0.md`` §2 and decisions 2, 3,
5 and 6). :func:`check` parses the code with tree-sitter's JavaScript grammar (a full modern
parser, imported on first use) and walks the tree for those constructs, reporting the first one
in source order with njs's own text and `` in <line>``, counted in the code as written.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node as Node
    from tree_sitter import Parser

MODULES = frozenset({"cloudfront", "crypto", "querystring", "buffer"})
"""The modules ``import x from '…'`` may name; any other fails to compile."""

_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
    }
)
_PATTERNS = frozenset({"object_pattern", "array_pattern"})
_REGEX_FLAGS = frozenset("gimy")
_LOGICAL_ASSIGNMENTS = frozenset({"||=", "&&=", "??="})
_STATEMENT_LISTS = frozenset({"", "program", "statement_block", "switch_case", "switch_default"})
_OPERATOR_CHARACTERS = frozenset("=+-*/%&|^<>!?~")
# Words strict mode reserves, which njs refuses as names (`yield` it accepts).
_STRICT_RESERVED = frozenset(
    {"implements", "interface", "let", "package", "private", "protected", "public", "static"}
)
_RESTRICTED_NAMES = frozenset({"eval", "arguments"})
_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_STATEMENT_BODIES = frozenset(
    {
        "if_statement",
        "else_clause",
        "while_statement",
        "do_statement",
        "for_statement",
        "for_in_statement",
    }
)
_JUMPS = {
    "return_statement": "return",
    "break_statement": "break",
    "continue_statement": "continue",
}
_CACHE_SIZE = 256

NUL_MESSAGE = "SyntaxError: the function code contains a NUL character, which cfmock cannot run"
"""What both the check and the runtime say of code holding a NUL (QuickJS-ng stops there)."""


PROFILES = ("faithful", "permissive")
"""The runtime profiles :func:`check_code` knows."""


@dataclass(frozen=True)
class CodeProblem:
    """A construct the runtime refuses to load: where it is and the runtime's message.

    ``line`` and ``column`` are 1-based and count in the code as written; the column counts
    characters (code points), not bytes. ``message`` is the runtime's own text, ending in
    `` in <line>``, e.g. ``SyntaxError: await in arguments not supported in 3``.
    """

    line: int
    column: int
    message: str


Problem = CodeProblem


def check_code(code: str | bytes, *, profile: str = "faithful") -> list[CodeProblem]:
    """The problems that would stop CloudFront's ``cloudfront-js-2.0`` runtime loading *code*.

    Empty when the code would load. Like the runtime, the check stops at the first problem,
    so the list holds one at most. *code* is the function's text, or its bytes in UTF-8.
    Under ``profile="permissive"`` only what no JavaScript engine would parse is a problem
    (modern syntax is accepted). Raises :class:`~cfmock.exceptions.CfmockError` for another
    profile or for bytes that are not UTF-8.
    """
    from cfmock.exceptions import CfmockError

    if profile not in PROFILES:
        raise CfmockError(
            f"unknown profile {profile!r}: the profiles are {', '.join(map(repr, PROFILES))}"
        )
    if isinstance(code, bytes):
        try:
            code = code.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CfmockError(
                f"the code is not valid UTF-8 ({error.reason} at byte {error.start})"
            ) from None
    return check(code, profile)


def check(code: str, profile: str = "faithful") -> list[CodeProblem]:
    """The first construct of *code* that ``cloudfront-js-2.0`` refuses, or nothing.

    Like the runtime, which stops at its first error, the list holds one problem at most.
    Results are cached per code, so checking the same function again costs a lookup.
    """
    return list(_check(code, profile == "permissive"))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _check(code: str, syntax_only: bool = False) -> tuple[Problem, ...]:
    source = code.encode("utf-8", errors="replace")
    nul = source.find(b"\0")
    if nul >= 0:
        # cfmock's runtime cannot take such code at all (the same message); say so, at the
        # NUL, rather than naming an unprintable token.
        position, message = nul, NUL_MESSAGE
    else:
        tree = parser().parse(source)
        walk = _Walk(source, syntax_only)
        problems = list(walk.problems(tree.root_node))
        if tree.root_node.has_error or not problems:
            # tree-sitter recovers from a syntax error in its own way, and accepts a few things
            # no engine does; QuickJS's parser, like njs's, stops at the first bad token.
            located = _first_parse_error(source, tree.root_node, syntax_only)
            if located is not None:
                problems = [found for found in problems if found not in walk.parse_errors]
                problems.append(located)
        # The earliest offending token wins; of two at one place, the one found first.
        found = min(((at, order, text) for order, (at, text) in enumerate(problems)), default=None)
        if found is None:
            return ()
        position, _, message = found
    line_start = source.rfind(b"\n", 0, position) + 1
    column = len(source[line_start:position].decode("utf-8", errors="replace")) + 1
    line = source.count(b"\n", 0, position) + 1
    return (Problem(line, column, f"{message} in {line}"),)


_QUICKJS_LOCATION = re.compile(r"\n\s+at <input>:(\d+):(\d+)")
_NOT_RUN = "throw null;\n"
"""Put before the code QuickJS parses: a script is parsed whole before it runs, and then this
line stops it before any of the code can run (function declarations are only hoisted)."""
_STRICT = "'use strict'; "
"""For the permissive profile, which runs the code as strict-mode QuickJS. The faithful one
parses sloppily: QuickJS's strict mode refuses a few names njs accepts (`yield`, parameters
called `eval`), and the walk has njs's own strict-mode rules."""
_HEADER_LINES = 1


def _first_parse_error(source: bytes, root: Node, strict: bool) -> _Found | None:
    """Where QuickJS's parser stops on *source*, in njs's words; None when it parses."""
    import _quickjs

    # Top-level imports, which a script cannot hold, are blanked in place so that every
    # position stays where it is.
    body = bytearray(source)
    for node in root.children:
        if node.type == "import_statement":
            for index in range(node.start_byte, node.end_byte):
                if body[index] not in b"\r\n":
                    body[index] = 0x20
    try:
        header = (_STRICT if strict else "") + _NOT_RUN
        _quickjs.Context().eval(header + bytes(body).decode("utf-8", errors="replace"))
    except Exception as error:  # noqa: BLE001 - deep nesting may overflow QuickJS's stack
        text = str(error)
    else:  # pragma: no cover - the first line always throws
        return None
    if not text.startswith("SyntaxError"):
        return None
    match = _QUICKJS_LOCATION.search(text)
    if match is None:
        return None
    kind = text.partition("\n")[0]
    line, column = int(match.group(1)) - _HEADER_LINES, int(match.group(2))
    lines = source.split(b"\n")
    if not 1 <= line <= len(lines) or column - 1 > len(lines[line - 1]):
        return (len(source), _ending(kind))
    position = sum(len(earlier) + 1 for earlier in lines[: line - 1]) + column - 1
    rest = lines[line - 1][column - 1 :].rstrip(b"\r").decode("utf-8", errors="replace")
    if position >= len(source.rstrip()):
        return (len(source), _ending(kind))
    if kind.startswith("SyntaxError: unexpected end of string"):
        if rest.startswith("`"):
            return (position, "SyntaxError: Unterminated template literal")
        return (position, f'SyntaxError: Unterminated string "{rest}"')
    if "in regexp" in kind or "end of regexp" in kind:
        return (position, f'SyntaxError: Unterminated RegExp "{rest}"')
    if "number literal" in kind:
        # njs reads the digits as a number, then fails at the first character after them,
        # unless no number may stand there at all (`var 1a`): then at the number.
        digits = len(rest) - len(rest.lstrip("0123456789."))
        before = source[:position].rstrip().rsplit(None, 1)[-1:] or [b""]
        if before[0] in (b"var", b"let", b"const", b"function") or digits == len(rest):
            return (position, f'SyntaxError: Unexpected token "{rest[:digits] or rest[:1]}"')
        return (position + digits, f'SyntaxError: Unexpected token "{rest[digits]}"')
    if kind.startswith("SyntaxError: unexpected end of comment"):
        return (position, 'SyntaxError: Unexpected token "/*"')
    leaf = root.descendant_for_byte_range(position, position)
    if leaf is not None and leaf.start_byte == position and leaf.child_count == 0 and leaf.text:
        token = leaf.text.decode("utf-8", errors="replace")
    else:
        token = rest[:1]
    return (position, f'SyntaxError: Unexpected token "{token}"')


def _ending(kind: str) -> str:
    if "catch or finally" in kind:
        return "SyntaxError: Missing catch or finally after try"
    return "SyntaxError: Unexpected end of input"


def cache_info() -> functools._CacheInfo:
    """How many checks the cache answered (for tests and benchmarks)."""
    return _check.cache_info()


def cache_clear() -> None:
    """Forget every cached result."""
    _check.cache_clear()


@functools.cache
def _language() -> object:
    import tree_sitter
    import tree_sitter_javascript

    return tree_sitter.Language(tree_sitter_javascript.language())


def parser() -> Parser:
    """A new parser for JavaScript (tree-sitter's grammar, loaded on first use)."""
    # A parser per parse: tree-sitter parsers are not meant to be shared between threads.
    import tree_sitter

    language = _language()
    assert isinstance(language, tree_sitter.Language)
    return tree_sitter.Parser(language)


# A problem found: the start byte of the offending token, and the message without its line.
_Found = tuple[int, str]


class _Walk:
    """One pass over a tree, yielding every refused construct with its offending token."""

    def __init__(self, source: bytes, syntax_only: bool = False) -> None:
        self.source = source
        self.syntax_only = syntax_only
        self.in_function = False
        self.parse_errors: list[_Found] = []
        """What tree-sitter's own error recovery found, which QuickJS may place better."""

    def problems(self, root: Node) -> Iterator[_Found]:
        # An explicit stack: deeply nested code must not exhaust Python's recursion limit.
        # Each entry: the node, whether the nearest enclosing function is async (None at top
        # level), whether it sits inside a call's or new's argument list, and whether a
        # function other than an arrow encloses it (one that has its own `arguments`).
        stack: list[tuple[Node, bool | None, bool, bool]] = [(root, None, False, False)]
        while stack:
            node, is_async, in_args, in_function = stack.pop()
            self.in_function = in_function
            yield from self._node(node, is_async, in_args)
            kind = node.type
            if kind in _FUNCTIONS:
                is_async = any(child.type == "async" for child in node.children)
                in_args = False
                in_function = in_function or kind != "arrow_function"
            elif kind == "arguments":
                in_args = True
            stack.extend(
                (child, is_async, in_args, in_function) for child in reversed(node.children)
            )

    def _node(self, node: Node, is_async: bool | None, in_args: bool) -> Iterator[_Found]:
        kind = node.type
        if node.is_missing:
            found = self._unexpected(self._leaf_after(node))
            self.parse_errors.append(found)
            yield found
        elif kind == "super":
            yield self._not_supported(node)
        elif not node.is_named:
            # Punctuation and keywords (`class`, `import`…) matter only inside their node.
            return
        elif kind == "ERROR":
            found = self._unexpected(self._error_token(node))
            self.parse_errors.append(found)
            yield found
        elif self.syntax_only:
            return
        elif kind == "await_expression":
            if not is_async:
                yield self._at(node, "SyntaxError: await is only valid in async functions")
            elif in_args and not _argument_list_closed_before(node):
                yield self._at(node, "SyntaxError: await in arguments not supported")
        elif kind == "arguments":
            yield from self._holes(node)
        elif kind == "expression_statement":
            yield from self._anonymous_function(node)
        elif kind == "for_in_statement":
            yield from self._for(node)
        elif kind == "catch_clause":
            yield from self._catch(node)
        elif kind == "variable_declarator":
            name = node.child_by_field_name("name")
            if name is not None and name.type in _PATTERNS:
                yield self._not_supported(self._first_inside(name))
            elif name is not None and self._text(name) in _RESTRICTED_NAMES:
                yield self._forbidden(name, "in var declaration")
        elif kind == "function_declaration":
            name = node.child_by_field_name("name")
            if _parent_type(node) in _STATEMENT_BODIES:
                message = "Functions can only be declared at top level or inside a block"
                yield self._at(node, f"SyntaxError: {message}")
            elif name is not None and self._text(name) in _RESTRICTED_NAMES:
                yield self._forbidden(name, "in function declaration")
        elif kind == "assignment_expression":
            yield from self._assignment(node)
        elif kind == "formal_parameters":
            yield from self._parameters(node)
            yield from self._duplicates(node)
        elif kind in ("identifier", "property_identifier", "shorthand_property_identifier"):
            backslash = self._text(node).find("\\")
            if backslash >= 0:
                # njs reads identifiers without escapes: the backslash is a token of its own.
                yield (node.start_byte + backslash, 'SyntaxError: Unexpected token "\\"')
            elif kind == "identifier":
                yield from self._identifier(node)
        elif kind == "escape_sequence" and self._text(node) in ("\\8", "\\9"):
            parent = node.parent
            if not (
                parent is not None
                and parent.type == "template_string"
                and _parent_type(parent) == "call_expression"
            ):
                message = (
                    "The escapes \\8 and \\9 can't be used in untagged template literals or in "
                    "strict mode code"
                )
                yield self._at(node, f"SyntaxError: {message}")
        elif kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            if _type(operator) == "**" and _type(left) == "unary_expression":
                message = "Either left-hand side or entire exponentiation must be parenthesized"
                yield self._at(node, f"SyntaxError: {message}")
        elif kind == "unary_expression":
            yield from self._delete(node)
        elif kind == "update_expression":
            yield from self._update(node)
        elif kind in _JUMPS:
            yield from self._jump(node)
        elif kind == "html_comment":
            # njs knows no HTML-like comments: `<!--` fails at `<`, `-->` at `>`.
            at = node.start_byte + (2 if self._text(node).startswith("--") else 0)
            yield (at, f'SyntaxError: Unexpected token "{chr(self.source[at])}"')
        elif kind == "spread_element":
            yield from self._spread(node)
        elif kind in ("class", "class_declaration", "generator_function"):
            yield self._not_supported(
                node.children[0] if kind != "generator_function" else _star(node)
            )
        elif kind in ("generator_function_declaration", "method_definition"):
            star = _star(node)
            if star is not None:
                yield self._unexpected(star)
        elif kind == "optional_chain":
            yield self._unexpected(self._optional_chain_token(node))
        elif kind == "augmented_assignment_expression":
            yield from self._logical_assignment(node)
        elif kind == "number":
            yield from self._number(node)
        elif kind == "regex":
            yield from self._regex(node)
        elif kind == "with_statement":
            yield self._not_supported(self._first_leaf(node.children[1]))
        elif kind == "meta_property":
            yield from self._meta_property(node)
        elif kind == "import":
            yield self._not_supported(node)
        elif kind == "import_statement":
            yield from self._import(node)
        elif kind == "export_statement":
            yield self._at(node, "SyntaxError: Illegal export statement")
        elif kind.startswith("jsx_") and not _parent_type(node).startswith("jsx_"):
            yield self._unexpected(self._first_leaf(node))

    # The constructs, one method each.

    def _holes(self, node: Node) -> Iterator[_Found]:
        # tree-sitter accepts `f(a,,b)`; JavaScript does not.
        for before, comma in itertools.pairwise(node.children):
            if comma.type == "," and before.type in ("(", ","):
                yield self._unexpected(comma)

    def _anonymous_function(self, node: Node) -> Iterator[_Found]:
        # A statement that starts with `function` declares one, which needs a name.
        function = node.children[0]
        if function.type == "function_expression" and function.child_by_field_name("name") is None:
            keyword = next(child for child in function.children if child.type == "function")
            yield self._unexpected(self._leaf_after(keyword))

    def _for(self, node: Node) -> Iterator[_Found]:
        left = node.child_by_field_name("left")
        if _type(left) in _PATTERNS:
            assert left is not None
            if node.child_by_field_name("kind") is not None:
                # Unlike a declaration's pattern (`var [a] = …`), njs names the bracket here.
                yield self._not_supported(left.children[0])
            else:
                opening = self._text(left.children[0])
                message = f'ReferenceError: Invalid left-hand side "{opening}" in for-in statement'
                yield self._at(left, message)
        for child in node.children:
            if child.type in ("of", "await"):
                yield self._not_supported(child)

    def _catch(self, node: Node) -> Iterator[_Found]:
        parameter = node.child_by_field_name("parameter")
        if parameter is None:
            # njs wants `(` after `catch`.
            yield self._not_supported(self._leaf_after(node.children[0]))
        elif parameter.type in _PATTERNS:
            yield self._not_supported(parameter.children[0])

    def _assignment(self, node: Node) -> Iterator[_Found]:
        left = node.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            name = self._text(left)
            # At the top level, `arguments` fails as a name before it fails as a target.
            if name == "eval" or (name == "arguments" and self.in_function):
                yield self._forbidden(left, "as left-hand in assignment")
            return
        if left is None or left.type not in _PATTERNS:
            return
        # njs reads the left side as an array or object literal first, so a rest element in it
        # fails as a spread would, before the assignment itself.
        for rest in _descendants(left, "rest_pattern"):
            if rest.parent is not None and rest.parent.type == "object_pattern":
                yield self._not_supported(rest.children[0])
            else:
                yield self._unexpected(rest.children[0])
        operator = next(child for child in node.children if child.type == "=")
        yield self._at(operator, "ReferenceError: Invalid left-hand side in assignment")

    def _parameters(self, node: Node) -> Iterator[_Found]:
        refused = [
            parameter
            for parameter in node.named_children
            if parameter.type in _PATTERNS
            or parameter.type == "assignment_pattern"
            or (
                parameter.type == "rest_pattern"
                and any(child.type in _PATTERNS for child in parameter.named_children)
            )
        ]
        if not refused:
            return
        if _parent_type(node) == "arrow_function":
            # njs reads `(a = 1)` or `({a})` as an expression, and only then meets the arrow.
            yield self._unexpected(self._leaf_after(node))
            return
        for parameter in refused:
            if parameter.type == "assignment_pattern":
                left = parameter.child_by_field_name("left")
                if left is not None and left.type in _PATTERNS:
                    yield self._not_supported(left.children[0])
                else:
                    equals = next(child for child in parameter.children if child.type == "=")
                    yield self._unexpected(equals)
            elif parameter.type == "rest_pattern":
                pattern = next(c for c in parameter.named_children if c.type in _PATTERNS)
                yield self._not_supported(pattern.children[0])
            else:
                yield self._not_supported(parameter.children[0])

    def _duplicates(self, node: Node) -> Iterator[_Found]:
        seen: set[str] = set()
        for parameter in node.named_children:
            if parameter.type == "identifier":
                name = self._text(parameter)
                if name in seen:
                    yield self._at(parameter, "SyntaxError: Duplicate parameter names")
                seen.add(name)

    def _identifier(self, node: Node) -> Iterator[_Found]:
        name = self._text(node)
        if name in _STRICT_RESERVED:
            yield self._unexpected(node)
        elif name == "arguments" and not self.in_function:
            yield self._at(node, 'SyntaxError: "arguments" object in global scope')

    def _delete(self, node: Node) -> Iterator[_Found]:
        operator = node.child_by_field_name("operator")
        operand = node.child_by_field_name("argument")
        if operator is None or operator.type != "delete":
            return
        while operand is not None and operand.type == "parenthesized_expression":
            operand = operand.named_children[0] if operand.named_children else None
        if operand is not None and operand.type == "identifier":
            yield self._at(node, "SyntaxError: Delete of an unqualified identifier")

    def _update(self, node: Node) -> Iterator[_Found]:
        operand = node.child_by_field_name("argument")
        if operand is not None and self._text(operand) in _RESTRICTED_NAMES:
            where = "prefix" if node.children[0].type in ("++", "--") else "postfix"
            message = f"ReferenceError: Invalid left-hand side in {where} operation"
            yield self._at(node, message)

    def _jump(self, node: Node) -> Iterator[_Found]:
        # `return` needs a function around it, `continue` a loop, an unlabelled `break` a loop
        # or a switch, all within the nearest function.
        word = _JUMPS[node.type]
        if word == "break" and node.child_by_field_name("label") is not None:
            return
        targets = {
            "return": _FUNCTIONS,
            "continue": _LOOPS,
            "break": _LOOPS | {"switch_statement"},
        }[word]
        current = node.parent
        while current is not None:
            if current.type in targets:
                return
            if current.type in _FUNCTIONS:
                break
            current = current.parent
        yield self._at(node, f"SyntaxError: Illegal {word} statement")

    def _forbidden(self, name: Node, where: str) -> _Found:
        return self._at(name, f'SyntaxError: Identifier "{self._text(name)}" is forbidden {where}')

    def _spread(self, node: Node) -> Iterator[_Found]:
        parent = node.parent
        if parent is not None and parent.type == "object":
            yield self._not_supported(node.children[0])
        else:
            yield self._unexpected(node.children[0])

    def _optional_chain_token(self, node: Node) -> Node | None:
        # njs 0.8 reports the token after `?.` and the name that follows it, if any.
        after = self._leaf_after(node)
        if after is not None and after.type in (
            "property_identifier",
            "private_property_identifier",
        ):
            after = self._leaf_after(after)
        return after

    def _logical_assignment(self, node: Node) -> Iterator[_Found]:
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type in _LOGICAL_ASSIGNMENTS:
            # njs reads `||=` as `||` then `=`.
            yield (operator.start_byte + 2, 'SyntaxError: Unexpected token "="')

    def _number(self, node: Node) -> Iterator[_Found]:
        text = self._text(node)
        if text.endswith("n"):
            position = node.start_byte + len(text) - 1
            yield (position, 'SyntaxError: Unexpected token "n"')
        elif len(text) > 1 and text[0] == "0" and text[1].isdigit():
            yield self._at(node, f'SyntaxError: Unexpected token "{text[:2]}"')

    def _regex(self, node: Node) -> Iterator[_Found]:
        flags = node.child_by_field_name("flags")
        if flags is None:
            return
        text = self._text(flags)
        for index, flag in enumerate(text):
            if flag not in _REGEX_FLAGS:
                message = f'SyntaxError: Invalid RegExp flags "{text[: index + 1]}"'
                yield self._at(node, message)
                return

    def _meta_property(self, node: Node) -> Iterator[_Found]:
        if node.children[0].type == "new":
            dot = next(child for child in node.children if child.type == ".")
            yield self._unexpected(dot)
        else:
            # `import.meta`: njs knows no `import` expression at all.
            yield self._not_supported(node.children[0])

    def _import(self, node: Node) -> Iterator[_Found]:
        if node.parent is None or node.parent.type != "program":
            yield self._at(node, "SyntaxError: Illegal import statement")
            return
        # `import` is followed by a default binding, `{`, `*` or the module's name.
        clause = node.children[1]
        if clause.type != "import_clause" or clause.children[0].type != "identifier":
            yield self._at(clause, "SyntaxError: Non-default import is not supported")
        elif len(clause.children) > 1:
            yield self._unexpected(clause.children[1])
        else:
            source = next(child for child in node.children if child.type == "string")
            module = self._text(source)[1:-1]
            if module not in MODULES:
                yield self._at(source, f'SyntaxError: Cannot find module "{module}"')

    # Tokens and positions.

    def _text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def _at(self, node: Node, message: str) -> _Found:
        return (node.start_byte, message)

    def _not_supported(self, token: Node | None) -> _Found:
        return self._token(token, 'SyntaxError: Token "{}" not supported in this version')

    def _unexpected(self, token: Node | None) -> _Found:
        return self._token(token, 'SyntaxError: Unexpected token "{}"')

    def _token(self, token: Node | None, template: str) -> _Found:
        if token is None:
            return (len(self.source), "SyntaxError: Unexpected end of input")
        return self._at(token, template.format(self._text(token)))

    def _first_inside(self, pattern: Node) -> Node | None:
        # The first token after the pattern's opening bracket.
        return self._leaf_after(pattern.children[0])

    def _first_leaf(self, node: Node) -> Node:
        while node.children:
            node = node.children[0]
        return node

    def _leaf_after(self, node: Node) -> Node | None:
        current: Node | None = node
        while current is not None:
            sibling = current.next_sibling
            while sibling is not None and sibling.type == "comment":
                sibling = sibling.next_sibling
            if sibling is not None:
                return self._first_leaf(sibling)
            current = current.parent
        return None

    def _error_token(self, node: Node) -> Node | None:
        leaves = [leaf for leaf in _leaves(node) if leaf.type != "comment"]
        at_statement = _parent_type(node) in _STATEMENT_LISTS
        if len(leaves) > 1 and at_statement and self._text(leaves[0]).isalpha():
            # A statement that could not go on after its keyword (`if x {`, `var 1 = 2`).
            return leaves[1]
        if at_statement and all(child.is_named for child in node.children):
            # A whole expression, then something that cannot follow it (`a b`).
            return self._leaf_after(node)
        if (
            len(leaves) == 1
            and not at_statement
            and _OPERATOR_CHARACTERS.issuperset(self._text(leaves[0]))
        ):
            # An operator without its right operand (`x = ;`): the token after it is wrong.
            return self._leaf_after(node)
        return leaves[0] if leaves else self._leaf_after(node)


def _argument_list_closed_before(node: Node) -> bool:
    """Whether an argument list ends between the one around *node* opening and *node*.

    njs marks "inside arguments" with one flag, set when an argument is parsed and cleared when
    a list of them ends: in `g(h(1), await x)` the `await` is no longer seen as an argument,
    in `g(h(), await x)` it still is.
    """
    around = node.parent
    while around is not None and around.type != "arguments":
        around = around.parent
    if around is None:
        return False
    stack = list(around.children)
    while stack:
        current = stack.pop()
        if current.start_byte >= node.start_byte:
            continue
        if (
            current.type == "arguments"
            and current.end_byte <= node.start_byte
            and any(child.type != "comment" for child in current.named_children)
        ):
            # An empty list, `h()`, parses no argument and leaves the flag as it was.
            return True
        if current.type not in _FUNCTIONS:
            stack.extend(current.children)
    return False


def _type(node: Node | None) -> str:
    return "" if node is None else node.type


def _parent_type(node: Node) -> str:
    return _type(node.parent)


def _star(node: Node) -> Node | None:
    return next((child for child in node.children if child.type == "*"), None)


def _descendants(node: Node, kind: str) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            yield current
        stack.extend(reversed(current.children))


def _leaves(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.children:
            stack.extend(reversed(current.children))
        else:
            yield current
