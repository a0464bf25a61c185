# ruff: noqa: E501 -- a table of JavaScript snippets, one per line
"""The module surface of cloudfront-js-2.0 (spec runtime-2.0 §4.1-4.5): crypto, Buffer,
TextEncoder and TextDecoder, querystring, atob and btoa, one case per documented function or
behaviour, all under the default faithful profile (the built-ins absent.json lists are gone when
the modules load).

Expected values are computed in Python where Python has the codec (hashlib, hmac, base64, hex,
UTF-8, percent-encoding, struct); the rest are njs 0.8.2's (src/njs_buffer.c,
src/njs_encoding.c, external/njs_crypto_module.c, external/njs_query_string_module.c and their
unit tests).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
import struct
import urllib.parse
from typing import Any

import boto3
import pytest

from cfmock import mock_connection_functions
from cfmock._runtime import engine
from cfmock._runtime.engine import RunResult, run

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)

# show(v): strings as they are, anything else as JSON.
SHOW = "function show(v) { return typeof v === 'string' ? v : JSON.stringify(v); }\n"


def preamble(text: str) -> str:
    """The module bindings the cases use: ``qs`` always, ``crypto`` when a case names it."""
    crypto = " const crypto = require('crypto');" if "crypto" in text else ""
    return "const qs = require('querystring');" + crypto


@pytest.fixture(autouse=True)
def no_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some cases build 256-byte tables or 1200 keys: they must not fail by the clock, however
    crowded the machine."""
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)


def execute(body: str) -> RunResult:
    code = SHOW + f"function connectionHandler(c) {{ {body} }}"
    return run(code.encode(), {"clientIp": "192.0.2.1"}, None, NOW)


def value_of(expression: str) -> str:
    result = execute(f"{preamble(expression)} console.log(show({expression}));")
    assert result.error == ""
    assert len(result.logs) == 1
    return result.logs[0]


def error_of(statement: str) -> str:
    result = execute(f"{preamble(statement)} {statement};")
    assert result.logs == ()
    return result.error


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def js(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


TEXT = "héllo wörld €𝄞"


def digest(name: str, data: bytes, encoding: str) -> str:
    raw = hashlib.new(name, data).digest()
    return {"hex": raw.hex(), "base64": b64(raw), "base64url": b64url(raw)}[encoding]


BYTES = bytes(range(256))
BYTES_JS = "Buffer.from(Array.from({length: 256}, (_, i) => i))"

# (id, expression, expected value)
VALUES: list[tuple[str, str, str]] = [
    # -- Buffer: encodings -------------------------------------------------------------------
    ("from-utf8", f"Buffer.from({js(TEXT)}).toString('hex')", TEXT.encode().hex()),
    ("from-utf-8", f"Buffer.from({js(TEXT)}, 'utf-8').toString('base64')", b64(TEXT.encode())),
    ("to-base64", f"{BYTES_JS}.toString('base64')", b64(BYTES)),
    ("to-base64url", f"{BYTES_JS}.toString('base64url')", b64url(BYTES)),
    ("to-hex", f"{BYTES_JS}.toString('hex')", BYTES.hex()),
    ("from-base64", f"Buffer.from({js(b64(BYTES))}, 'base64').toString('hex')", BYTES.hex()),
    (
        "from-base64url",
        f"Buffer.from({js(b64url(BYTES))}, 'base64url').toString('hex')",
        BYTES.hex(),
    ),
    (
        "from-hex-upper",
        f"Buffer.from({js(BYTES.hex().upper())}, 'hex').toString('hex')",
        BYTES.hex(),
    ),
    ("hex-stops-at-bad-digit", "Buffer.from('6869zz41', 'hex').toString()", "hi"),
    ("hex-odd-length", "Buffer.from('686', 'hex').toString('hex')", "68"),
    ("base64-unpadded", "Buffer.from('aGk', 'base64').toString()", "hi"),
    ("base64-stops-at-bad-char", "Buffer.from('aGk-aGk', 'base64').toString()", "hi"),
    ("base64url-stops-at-plus", "Buffer.from('aGk+', 'base64url').toString()", "hi"),
    (
        "utf8-invalid-is-fffd",
        "Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62, 0xed, 0xa0, 0x80]).toString()",
        bytes([0x61, 0xFF, 0xE2, 0x82, 0x62, 0xED, 0xA0, 0x80]).decode("utf-8", "replace"),
    ),
    ("utf8-overlong-is-fffd", "Buffer.from([0xc0, 0xaf]).toString()", "\ufffd\ufffd"),
    ("to-string-range", "Buffer.from('hello').toString('utf8', 1, 3)", "el"),
    ("to-string-range-clamped", "Buffer.from('hello').toString(undefined, 3, 99)", "lo"),
    (
        "is-encoding-five",
        "['utf8','utf-8','hex','base64','base64url'].map(Buffer.isEncoding)",
        "[true,true,true,true,true]",
    ),
    (
        "is-encoding-case-sensitive",
        "[Buffer.isEncoding('UTF8'), Buffer.isEncoding('Hex')]",
        "[false,false]",
    ),
    (
        "is-encoding-node-only",
        "['latin1','binary','ascii','ucs2'].map(e => Buffer.isEncoding(e))",
        "[false,false,false,false]",
    ),
    ("is-encoding-undefined", "Buffer.isEncoding()", "false"),
    # -- Buffer: static ----------------------------------------------------------------------
    ("alloc-zero", "Buffer.alloc(3).toString('hex')", "000000"),
    ("alloc-number", "Buffer.alloc(3, 257).toString('hex')", "010101"),
    ("alloc-string-repeats", "Buffer.alloc(4, 'ab').toString()", "abab"),
    ("alloc-hex-fill", "Buffer.alloc(4, 'ab01', 'hex').toString('hex')", "ab01ab01"),
    ("alloc-base64-fill", "Buffer.alloc(5, 'aGk=', 'base64').toString()", "hihih"),
    ("alloc-buffer-fill", "Buffer.alloc(5, Buffer.from('xyz')).toString()", "xyzxy"),
    ("alloc-unsafe-length", "Buffer.allocUnsafe(7).length", "7"),
    ("alloc-unsafe-is-buffer", "Buffer.isBuffer(Buffer.allocUnsafe(1))", "true"),
    ("byte-length-utf8", f"Buffer.byteLength({js(TEXT)})", str(len(TEXT.encode()))),
    ("byte-length-hex", "Buffer.byteLength('abcdef', 'hex')", "3"),
    ("byte-length-base64", f"Buffer.byteLength({js(b64(BYTES))}, 'base64')", "256"),
    ("byte-length-buffer", "Buffer.byteLength(new Uint16Array(3))", "6"),
    ("byte-length-array-buffer", "Buffer.byteLength(new ArrayBuffer(9))", "9"),
    ("compare-less", "Buffer.compare(Buffer.from('a'), Buffer.from('b'))", "-1"),
    ("compare-greater", "Buffer.compare(Buffer.from('b'), Buffer.from('a'))", "1"),
    ("compare-equal", "Buffer.compare(Buffer.from('ab'), Buffer.from('ab'))", "0"),
    ("compare-shorter", "Buffer.compare(Buffer.from('a'), Buffer.from('ab'))", "-1"),
    (
        "compare-sorts",
        "[Buffer.from('b'), Buffer.from('c'), Buffer.from('a')].sort(Buffer.compare).map(String).join('')",
        "abc",
    ),
    ("concat", "Buffer.concat([Buffer.from('ab'), new Uint8Array([99])]).toString()", "abc"),
    ("concat-empty", "Buffer.concat([]).length", "0"),
    (
        "concat-total-cut",
        "Buffer.concat([Buffer.from('abc'), Buffer.from('def')], 4).toString()",
        "abcd",
    ),
    ("concat-total-pads", "Buffer.concat([Buffer.from('a')], 3).toString('hex')", "610000"),
    ("from-array", "Buffer.from([1, 256, -1, 2.7]).toString('hex')", "0100ff02"),
    ("from-array-like", "Buffer.from({length: 2, 0: 104, 1: 105}).toString()", "hi"),
    ("from-buffer-json", "Buffer.from({type: 'Buffer', data: [104, 105]}).toString()", "hi"),
    ("from-string-object", "Buffer.from(new String('hi')).toString()", "hi"),
    ("from-value-of", "Buffer.from({valueOf() { return 'aGk='; }}, 'base64').toString()", "hi"),
    ("from-typed-array", "Buffer.from(new Uint16Array([1, 258])).toString('hex')", "0102"),
    (
        "from-buffer-copies",
        "(() => { const a = Buffer.from('ab'); const b = Buffer.from(a); a[0] = 120; return b.toString(); })()",
        "ab",
    ),
    (
        "from-array-buffer-shares",
        "(() => { const ab = new ArrayBuffer(4); const b = Buffer.from(ab, 1, 2); new Uint8Array(ab)[1] = 65; return [b.length, b[0]]; })()",
        "[2,65]",
    ),
    ("from-array-buffer-rest", "Buffer.from(new ArrayBuffer(5), 2).length", "3"),
    (
        "is-buffer",
        "[Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('a')]",
        "[true,false,false]",
    ),
    ("require-buffer", "require('buffer').Buffer === Buffer", "true"),
    (
        "buffer-identity",
        "(() => { const b = Buffer.from('a'); return [Buffer.name, b instanceof Buffer, b instanceof Uint8Array, b.constructor === Buffer]; })()",
        '["Buffer",true,true,true]',
    ),
    ("inherited-map-is-buffer", "Buffer.isBuffer(Buffer.from('ab').map((x) => x + 1))", "true"),
    # -- Buffer: prototype -------------------------------------------------------------------
    ("proto-compare", "Buffer.from('b').compare(Buffer.from('a'))", "1"),
    ("proto-compare-less", "Buffer.from('a').compare(Buffer.from('b'))", "-1"),
    ("proto-compare-ranges", "Buffer.from('xabcx').compare(Buffer.from('abc'), 0, 3, 1, 4)", "0"),
    (
        "copy",
        "(() => { const t = Buffer.alloc(4, 46); const n = Buffer.from('abc').copy(t, 1); return n + t.toString(); })()",
        "3.abc",
    ),
    (
        "copy-range",
        "(() => { const t = Buffer.alloc(3, 46); const n = Buffer.from('abcdef').copy(t, 0, 2, 4); return n + t.toString(); })()",
        "2cd.",
    ),
    (
        "copy-truncates",
        "(() => { const t = Buffer.alloc(2); return Buffer.from('abcdef').copy(t); })()",
        "2",
    ),
    (
        "copy-overlap",
        "(() => { const b = Buffer.from('abcdef'); b.copy(b, 2, 0, 4); return b.toString(); })()",
        "ababcd",
    ),
    (
        "equals",
        "[Buffer.from('ab').equals(Buffer.from('ab')), Buffer.from('ab').equals(new Uint8Array([97])), Buffer.from('').equals(Buffer.alloc(0))]",
        "[true,false,true]",
    ),
    ("fill-string", "Buffer.alloc(3).fill('ab').toString()", "aba"),
    (
        "fill-multibyte-cut",
        "Buffer.alloc(5).fill('é').toString('hex')",
        ("é" * 3).encode()[:5].hex(),
    ),
    ("fill-number-masked", "Buffer.alloc(2).fill(0x1ff).toString('hex')", "ffff"),
    ("fill-range", "Buffer.alloc(5, 46).fill('x', 1, 3).toString()", ".xx.."),
    ("fill-encoding", "Buffer.alloc(4).fill('0102', 'hex').toString('hex')", "01020102"),
    ("fill-range-encoding", "Buffer.alloc(4).fill('ff', 1, 3, 'hex').toString('hex')", "00ffff00"),
    ("fill-empty-string-zeroes", "Buffer.alloc(2, 7).fill('').toString('hex')", "0000"),
    (
        "fill-returns-this",
        "(() => { const b = Buffer.alloc(1); return b.fill(1) === b; })()",
        "true",
    ),
    ("includes-string", "Buffer.from('hello').includes('ell')", "true"),
    ("includes-not-char", "Buffer.from('hello').includes('elo')", "false"),
    ("includes-hex", "Buffer.from('hello').includes('6c6c', 'hex')", "true"),
    ("includes-number", "Buffer.from('hello').includes(0x6f)", "true"),
    ("includes-buffer", "Buffer.from('hello').includes(Buffer.from('llo'))", "true"),
    ("index-of-string", "Buffer.from('hello').indexOf('l')", "2"),
    ("index-of-multibyte", "Buffer.from('aé€é').indexOf('é', 2)", "6"),
    ("index-of-offset", "Buffer.from('abcabc').indexOf('bc', 2)", "4"),
    ("index-of-negative-offset", "Buffer.from('abcabc').indexOf('a', -3)", "3"),
    ("index-of-missing", "Buffer.from('hello').indexOf('z')", "-1"),
    ("index-of-empty", "Buffer.from('hello').indexOf('')", "0"),
    ("index-of-base64", "Buffer.from('xhiy').indexOf('aGk=', 'base64')", "1"),
    ("last-index-of", "Buffer.from('hello').lastIndexOf('l')", "3"),
    ("last-index-of-sequence", "Buffer.from('abcabc').lastIndexOf('abc')", "3"),
    ("last-index-of-offset", "Buffer.from('abcabc').lastIndexOf('abc', 2)", "0"),
    ("last-index-of-empty", "Buffer.from('hello').lastIndexOf('')", "5"),
    (
        "subarray-shares",
        "(() => { const b = Buffer.from('abc'); const s = b.subarray(1); s[0] = 120; return [b.toString(), Buffer.isBuffer(s)]; })()",
        '["axc",true]',
    ),
    (
        "slice-shares",
        "(() => { const b = Buffer.from('abc'); b.slice(0, 1)[0] = 122; return b.toString(); })()",
        "zbc",
    ),
    ("subarray-negative", "Buffer.from('hello').subarray(-3, -1).toString()", "ll"),
    ("swap16", "Buffer.from('01020304', 'hex').swap16().toString('hex')", "02010403"),
    (
        "swap32",
        "Buffer.from('0102030405060708', 'hex').swap32().toString('hex')",
        "0403020108070605",
    ),
    (
        "swap64",
        "Buffer.from('0102030405060708', 'hex').swap64().toString('hex')",
        "0807060504030201",
    ),
    (
        "swap-in-place",
        "(() => { const b = Buffer.from('0102', 'hex'); b.swap16(); return b.toString('hex'); })()",
        "0201",
    ),
    ("to-json", "Buffer.from('hi').toJSON()", '{"type":"Buffer","data":[104,105]}'),
    ("json-stringify", "JSON.stringify(Buffer.from([1, 2]))", '{"type":"Buffer","data":[1,2]}'),
    (
        "write",
        "(() => { const b = Buffer.alloc(5, 46); const n = b.write('hi', 1); return n + b.toString(); })()",
        "2.hi..",
    ),
    (
        "write-truncates",
        "(() => { const b = Buffer.alloc(3); const n = b.write('abcdef'); return n + b.toString(); })()",
        "3abc",
    ),
    (
        "write-length",
        "(() => { const b = Buffer.alloc(4); const n = b.write('evil', 3, 1); return n + b.toString('hex'); })()",
        "100000065",
    ),
    (
        "write-encoding-second",
        "(() => { const b = Buffer.alloc(4); return b.write('ZXZpbA==', 'base64') + b.toString(); })()",
        "4evil",
    ),
    (
        "write-encoding-fourth",
        "(() => { const b = Buffer.alloc(4); return b.write('ZXZpbA==', undefined, undefined, 'base64') + b.toString(); })()",
        "4evil",
    ),
    (
        "buffer-index-length",
        "(() => { const b = Buffer.from('hi'); return [b[1], b.length, b.byteOffset, b.buffer instanceof ArrayBuffer]; })()",
        "[105,2,0,true]",
    ),
    # -- Buffer: readers and writers, Node signatures, njs 0.8.2 returns ----------------------
    (
        "read-int8",
        "Buffer.from([0xff, 0x7f]).readInt8(0) + ',' + Buffer.from([0xff, 0x7f]).readInt8(1)",
        "-1,127",
    ),
    ("read-uint8", "Buffer.from([0xff]).readUInt8(0)", "255"),
    ("read-uint8-default-offset", "Buffer.from([7]).readUInt8()", "7"),
]

BUF8 = bytes([0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0xF9, 0xF8])
BUF8_JS = "Buffer.from([0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0xf9, 0xf8])"
for fmt, name, size in [
    (">h", "Int16BE", 2),
    ("<h", "Int16LE", 2),
    (">H", "UInt16BE", 2),
    ("<H", "UInt16LE", 2),
    (">i", "Int32BE", 4),
    ("<i", "Int32LE", 4),
    (">I", "UInt32BE", 4),
    ("<I", "UInt32LE", 4),
]:
    VALUES.append(
        (f"read-{name}", f"{BUF8_JS}.read{name}(1)", str(struct.unpack(fmt, BUF8[1 : 1 + size])[0]))
    )
for size in range(1, 7):
    for signed, endian, name in [
        (True, "big", "IntBE"),
        (True, "little", "IntLE"),
        (False, "big", "UIntBE"),
        (False, "little", "UIntLE"),
    ]:
        expected = int.from_bytes(BUF8[1 : 1 + size], endian, signed=signed)  # type: ignore[arg-type]
        VALUES.append((f"read-{name}-{size}", f"{BUF8_JS}.read{name}(1, {size})", str(expected)))
for fmt, name in [(">f", "FloatBE"), ("<f", "FloatLE"), (">d", "DoubleBE"), ("<d", "DoubleLE")]:
    data = struct.pack(fmt, 1.5) + b"\0" * 8
    VALUES.append((f"read-{name}", f"Buffer.from({js(data.hex())}, 'hex').read{name}(0)", "1.5"))
    VALUES.append(
        (
            f"write-{name}",
            f"(() => {{ const b = Buffer.alloc({struct.calcsize(fmt) + 1}); "
            f"const r = b.write{name}(-2.25, 1); return String(r) + b.toString('hex'); }})()",
            "undefined" + ("00" + struct.pack(fmt, -2.25).hex()),
        )
    )
for fmt, name, value in [
    (">b", "Int8", -2),
    (">B", "UInt8", 200),
    (">h", "Int16BE", -2),
    ("<h", "Int16LE", -300),
    (">H", "UInt16BE", 0xABCD),
    ("<H", "UInt16LE", 0xABCD),
    (">i", "Int32BE", -123456789),
    ("<i", "Int32LE", -123456789),
    (">I", "UInt32BE", 0xDEADBEEF),
    ("<I", "UInt32LE", 0xDEADBEEF),
]:
    size = struct.calcsize(fmt)
    VALUES.append(
        (
            f"write-{name}",
            f"(() => {{ const b = Buffer.alloc({size + 1}); const r = b.write{name}({value}, 1); "
            f"return r + ':' + b.toString('hex'); }})()",
            f"{size + 1}:00" + struct.pack(fmt, value).hex(),
        )
    )
for size in range(1, 7):
    for signed, endian, name in [
        (True, "big", "IntBE"),
        (True, "little", "IntLE"),
        (False, "big", "UIntBE"),
        (False, "little", "UIntLE"),
    ]:
        value = -(2 ** (8 * size - 1)) + 3 if signed else 2 ** (8 * size) - 5
        packed = value.to_bytes(size, endian, signed=signed)
        VALUES.append(
            (
                f"write-{name}-{size}",
                f"(() => {{ const b = Buffer.alloc({size}); const r = b.write{name}({value}, 0, {size}); "
                f"return r + ':' + b.toString('hex'); }})()",
                f"{size}:{packed.hex()}",
            )
        )
VALUES += [
    # njs 0.8.2 does not range-check the written value: the low bytes are stored.
    (
        "write-uint8-wraps",
        "(() => { const b = Buffer.alloc(1); b.writeUInt8(300); return b[0]; })()",
        "44",
    ),
    (
        "write-int16-wraps",
        "(() => { const b = Buffer.alloc(2); b.writeInt16BE(0x12345); return b.toString('hex'); })()",
        "2345",
    ),
    ("write-default-offset", "Buffer.alloc(4).writeUInt32LE(1)", "4"),
    # -- TextEncoder / TextDecoder -----------------------------------------------------------
    (
        "encoder-encode",
        f"Array.from(new TextEncoder().encode({js(TEXT)}))",
        js(list(TEXT.encode())),
    ),
    ("encoder-encoding", "new TextEncoder().encoding", "utf-8"),
    (
        "encoder-lone-surrogate",
        "Array.from(new TextEncoder().encode('a\\ud800'))",
        "[97,239,191,189]",
    ),
    (
        "encode-into-fits",
        "(() => { const u = new Uint8Array(4); return [new TextEncoder().encodeInto('abc', u), Array.from(u)]; })()",
        '[{"read":3,"written":3},[97,98,99,0]]',
    ),
    (
        "encode-into-partial",
        "new TextEncoder().encodeInto('abc', new Uint8Array(2))",
        '{"read":2,"written":2}',
    ),
    (
        "encode-into-whole-chars",
        "new TextEncoder().encodeInto('ααααα', new Uint8Array(5))",
        '{"read":2,"written":4}',
    ),
    (
        "encode-into-surrogate-pair",
        "new TextEncoder().encodeInto('𝄞x', new Uint8Array(5))",
        '{"read":3,"written":5}',
    ),
    (
        "decoder-decode",
        f"new TextDecoder().decode(new Uint8Array({js(list(TEXT.encode()))}))",
        TEXT,
    ),
    (
        "decoder-defaults",
        "(() => { const d = new TextDecoder(); return [d.encoding, d.fatal, d.ignoreBOM]; })()",
        '["utf-8",false,false]',
    ),
    (
        "decoder-options",
        "(() => { const d = new TextDecoder('utf8', {fatal: true, ignoreBOM: true}); return [d.encoding, d.fatal, d.ignoreBOM]; })()",
        '["utf-8",true,true]',
    ),
    (
        "decoder-drops-bom",
        "new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 50])).length",
        "1",
    ),
    (
        "decoder-keeps-bom",
        "new TextDecoder('utf-8', {ignoreBOM: true}).decode(new Uint8Array([0xef, 0xbb, 0xbf, 50])).charCodeAt(0)",
        str(0xFEFF),
    ),
    ("decoder-replaces", "new TextDecoder().decode(new Uint8Array([0xf0, 0xa0, 0x61]))", "\ufffda"),
    ("decoder-array-buffer", "new TextDecoder().decode(new Uint8Array([104, 105]).buffer)", "hi"),
    (
        "decoder-uint16-bytes",
        "new TextDecoder().decode(new Uint16Array(new Uint8Array([240, 160, 174, 183]).buffer))",
        "𠮷",
    ),
    ("decoder-no-input", "new TextDecoder().decode()", ""),
    (
        "decoder-stream",
        "(() => { const d = new TextDecoder(); return d.decode(new Uint8Array([240, 160]), {stream: true}) + '|' + d.decode(new Uint8Array([174, 183])); })()",
        "|𠮷",
    ),
    # -- querystring ---------------------------------------------------------------------------
    ("qs-parse", "qs.parse('a=1&b=x+y&c=%E2%82%AC')", '{"a":"1","b":"x y","c":"€"}'),
    ("qs-parse-repeated", "qs.parse('a=1&a=2&a=3')", '{"a":["1","2","3"]}'),
    ("qs-parse-no-eq", "qs.parse('name&value=12')", '{"name":"","value":"12"}'),
    ("qs-parse-empty-parts", "qs.parse('&&&baz=fuz&')", '{"baz":"fuz"}'),
    ("qs-parse-empty-key", "qs.parse('===fu=z')", '{"":"==fu=z"}'),
    ("qs-parse-not-string", "qs.parse(123)", "{}"),
    ("qs-parse-sep-eq", "qs.parse('a:1;b:2', ';', ':')", '{"a":"1","b":"2"}'),
    ("qs-parse-multichar-sep", "qs.parse('baz=fuzαααmuz=tax', 'ααα')", '{"baz":"fuz","muz":"tax"}'),
    ("qs-parse-null-sep", "qs.parse('a=1&b=2', null, null)", '{"a":"1","b":"2"}'),
    ("qs-parse-empty-sep", "qs.parse('a=1&b=2', '', '')", '{"a":"1","b":"2"}'),
    ("qs-parse-number-sep", "qs.parse('baz=fuz123muz=tax', 123)", '{"baz":"fuz","muz":"tax"}'),
    ("qs-parse-max-keys", "qs.parse('a=1&b=2&c=3', null, null, {maxKeys: 2})", '{"a":"1","b":"2"}'),
    (
        "qs-parse-max-keys-zero",
        "Object.keys(qs.parse(Array.from({length: 1200}, (_, i) => 'k' + i + '=1').join('&'), null, null, {maxKeys: 0})).length",
        "1200",
    ),
    (
        "qs-parse-max-keys-default",
        "Object.keys(qs.parse(Array.from({length: 1200}, (_, i) => 'k' + i + '=1').join('&'))).length",
        "1000",
    ),
    (
        "qs-parse-decoder",
        "qs.parse('a=b&c=d', null, null, {decodeURIComponent: (s) => s.toUpperCase()})",
        '{"A":"B","C":"D"}',
    ),
    (
        "qs-parse-decoder-plus-untouched",
        "qs.parse('a+b=c%20d', null, null, {decodeURIComponent: (s) => s})",
        '{"a+b":"c%20d"}',
    ),
    (
        "qs-parse-invalid-utf8",
        "qs.parse('a=%F6&b=%F0%9F%A9&c=%F6α')",
        '{"a":"\ufffd","b":"\ufffd","c":"\ufffdα"}',
    ),
    ("qs-parse-malformed-escape", "qs.parse('a=%zz&b=%&c=%F')", '{"a":"%zz","b":"%","c":"%F"}'),
    ("qs-parse-emoji", "qs.parse('ba%F0%9F%92%A9z=1')", '{"ba💩z":"1"}'),
    ("qs-decode-alias", "qs.decode === qs.parse && qs.encode === qs.stringify", "true"),
    (
        "qs-stringify",
        "qs.stringify({a: 'b c', d: [1, 2], e: true, f: 1.5})",
        "a=b%20c&d=1&d=2&e=true&f=1.5",
    ),
    (
        "qs-stringify-non-primitives",
        "qs.stringify({a: null, b: undefined, c: {x: 1}, d: NaN, e: Infinity, f: 'x'})",
        "a=&b=&c=&d=&e=&f=x",
    ),
    ("qs-stringify-array-members", "qs.stringify({a: [null, 'x', {}]})", "a=&a=x&a="),
    ("qs-stringify-sep-eq", "qs.stringify({a: 1, b: 2}, ';', ':')", "a:1;b:2"),
    ("qs-stringify-null-sep", "qs.stringify({a: 1, b: 2}, null, '')", "a=1&b=2"),
    (
        "qs-stringify-encoder",
        "qs.stringify({a: 'b c'}, null, null, {encodeURIComponent: (s) => '<' + s + '>'})",
        "<a>=<b c>",
    ),
    (
        "qs-stringify-not-object",
        "[qs.stringify('a'), qs.stringify(1), qs.stringify(null)]",
        '["","",""]',
    ),
    ("qs-stringify-utf8", "qs.stringify({'baαz': 'fαuz'})", "ba%CE%B1z=f%CE%B1uz"),
    ("qs-stringify-plus", "qs.stringify({a: 2 ** 70})", "a=1.1805916207174113e%2B21"),
    (
        "qs-replaced-unescape",
        "(() => { qs.unescape = (s) => s + '!'; return qs.parse('a=b'); })()",
        '{"a!":"b!"}',
    ),
]

ESCAPE_SAMPLE = "a b&c=d/é€𝄞!'()*-._~:@+,;?#[]$%^"
VALUES += [
    (
        "qs-escape",
        f"qs.escape({js(ESCAPE_SAMPLE)})",
        urllib.parse.quote(ESCAPE_SAMPLE, safe="!'()*-._~"),
    ),
    ("qs-unescape", f"qs.unescape({js(urllib.parse.quote(TEXT))})", TEXT),
    ("qs-unescape-plus", "qs.unescape('a+b%2Bc')", "a b+c"),
    ("qs-escape-lone-surrogate", "qs.escape('\\ud800')", "%EF%BF%BD"),
    # -- atob / btoa ---------------------------------------------------------------------------
    ("btoa", "btoa('hi\\u00ff')", b64(b"hi\xff")),
    ("btoa-all-bytes", f"btoa(String.fromCharCode.apply(null, {js(list(BYTES))}))", b64(BYTES)),
    ("btoa-undefined", "btoa(undefined)", b64(b"undefined")),
    ("btoa-empty", "btoa('')", ""),
    ("atob", f"Array.from(atob({js(b64(BYTES))}), (c) => c.charCodeAt(0))", js(list(BYTES))),
    ("atob-spaces", "atob(' C D R W ').length", "3"),
    ("atob-unpadded", "atob('aGk')", "hi"),
    ("atob-empty", "atob('')", ""),
    # -- crypto (spec §4.1, njs 0.8.2 external/njs_crypto_module.c) --------------------------
    *[
        (
            f"hash-{name}-{enc}",
            f"crypto.createHash('{name}').update({js(TEXT)}).digest('{enc}')",
            digest(name, TEXT.encode(), enc),
        )
        for name in ("md5", "sha1", "sha256")
        for enc in ("hex", "base64", "base64url")
    ],
    *[
        (
            f"hmac-{name}",
            f"crypto.createHmac('{name}', 'key').update('a').update('b').digest('hex')",
            hmac.new(b"key", b"ab", name).hexdigest(),
        )
        for name in ("md5", "sha1", "sha256")
    ],
    (
        "hash-digest-buffer",
        "(() => { const d = crypto.createHash('sha1').update('abc').digest(); return [Buffer.isBuffer(d), d.length, d.toString('hex')]; })()",
        js([True, 20, hashlib.sha1(b"abc").hexdigest()]),
    ),
    ("hmac-digest-buffer", "Buffer.isBuffer(crypto.createHmac('md5', 'k').digest())", "true"),
    ("hash-empty", "crypto.createHash('md5').digest('hex')", hashlib.md5(b"").hexdigest()),
    (
        "hash-update-chains",
        "crypto.createHash('sha256').update('a').update('b').update('c').digest('hex')",
        hashlib.sha256(b"abc").hexdigest(),
    ),
    (
        "hash-update-hex",
        "crypto.createHash('sha256').update('616263', 'hex').digest('hex')",
        hashlib.sha256(b"abc").hexdigest(),
    ),
    (
        "hash-update-base64",
        "crypto.createHash('sha256').update('YWJj', 'base64').digest('hex')",
        hashlib.sha256(b"abc").hexdigest(),
    ),
    (
        "hash-update-base64url",
        f"crypto.createHash('sha256').update({js(b64url(BYTES))}, 'base64url').digest('hex')",
        hashlib.sha256(BYTES).hexdigest(),
    ),
    (
        "hash-update-utf-8",
        "crypto.createHash('sha256').update('é', 'utf-8').digest('hex')",
        hashlib.sha256("é".encode()).hexdigest(),
    ),
    (
        "hash-update-buffer",
        f"crypto.createHash('sha256').update({BYTES_JS}).digest('hex')",
        hashlib.sha256(BYTES).hexdigest(),
    ),
    (
        "hash-update-typed-array",
        "crypto.createHash('md5').update(new Uint16Array([0x6261])).digest('hex')",
        hashlib.md5(b"ab").hexdigest(),
    ),
    (
        "hash-update-buffer-ignores-encoding",
        "crypto.createHash('md5').update(Buffer.from('ab'), 'hex').digest('hex')",
        hashlib.md5(b"ab").hexdigest(),
    ),
    (
        "hash-update-copies",
        "(() => { const b = Buffer.from('abc'); const h = crypto.createHash('md5').update(b); b[0] = 0; return h.digest('hex'); })()",
        hashlib.md5(b"abc").hexdigest(),
    ),
    (
        "hash-copy",
        "(() => { const h = crypto.createHash('sha1').update('a'); const c = h.copy(); h.update('b'); return [h.digest('hex'), c.digest('hex')]; })()",
        js([hashlib.sha1(b"ab").hexdigest(), hashlib.sha1(b"a").hexdigest()]),
    ),
    (
        "hash-bad-encoding-keeps-hash",
        "(() => { const h = crypto.createHash('md5').update('a'); try { h.digest('latin1'); } catch (e) {} return h.digest('hex'); })()",
        hashlib.md5(b"a").hexdigest(),
    ),
    (
        "hmac-long-key",
        "crypto.createHmac('sha256', 'k'.repeat(100)).update('x').digest('hex')",
        hmac.new(b"k" * 100, b"x", "sha256").hexdigest(),
    ),
    (
        "hmac-buffer-key",
        f"crypto.createHmac('sha1', {BYTES_JS}).update('x').digest('base64')",
        b64(hmac.new(BYTES, b"x", "sha1").digest()),
    ),
    (
        "hmac-utf8-key",
        "crypto.createHmac('md5', 'ké').update('x').digest('hex')",
        hmac.new("ké".encode(), b"x", "md5").hexdigest(),
    ),
    ("hmac-has-no-copy", "typeof crypto.createHmac('md5', 'k').copy", "undefined"),
    ("crypto-keys", "Object.keys(crypto)", '["createHash","createHmac"]'),
    (
        "crypto-tags",
        "[String(crypto.createHash('md5')), String(crypto.createHmac('md5', 'k'))]",
        '["[object Hash]","[object Hmac]"]',
    ),
    ("crypto-import", "require('crypto') === crypto", "true"),
    (
        "crypto-has-only-hashes",
        "[typeof crypto.randomBytes, typeof crypto.getRandomValues, typeof crypto.subtle]",
        '["undefined","undefined","undefined"]',
    ),
]

# (id, statement, error)
ERRORS: list[tuple[str, str, str]] = [
    ("new-buffer", "new Buffer(2)", "TypeError: Buffer is not a constructor"),
    ("call-buffer", "Buffer('a')", "TypeError: Buffer is not a constructor"),
    ("buffer-of", "Buffer.of(1, 2)", "TypeError: Buffer is not a constructor"),
    (
        "encoder-this",
        "TextEncoder.prototype.encode.apply({}, [])",
        'TypeError: "this" is not a TextEncoder',
    ),
    (
        "encode-into-this",
        "TextEncoder.prototype.encodeInto.call({}, 'a', new Uint8Array(1))",
        'TypeError: "this" is not a TextEncoder',
    ),
    (
        "decoder-this",
        "TextDecoder.prototype.decode.call({}, new Uint8Array([1]))",
        'TypeError: "this" is not a TextDecoder',
    ),
    (
        "unknown-encoding",
        "Buffer.from('a', 'latin1')",
        'TypeError: "latin1" encoding is not supported',
    ),
    (
        "binary-encoding",
        "Buffer.from('a').toString('binary')",
        'TypeError: "binary" encoding is not supported',
    ),
    (
        "ascii-encoding",
        "Buffer.byteLength('a', 'ascii')",
        'TypeError: "ascii" encoding is not supported',
    ),
    (
        "ucs2-encoding",
        "Buffer.alloc(2, 'a', 'ucs2')",
        'TypeError: "ucs2" encoding is not supported',
    ),
    (
        "upper-case-encoding",
        "Buffer.from('a', 'UTF8')",
        'TypeError: "UTF8" encoding is not supported',
    ),
    ("encoding-not-string", "Buffer.from('a').toString(1)", "TypeError: encoding must be a string"),
    ("is-encoding-not-string", "Buffer.isEncoding(1)", "TypeError: encoding must be a string"),
    (
        "from-number",
        "Buffer.from(5)",
        "TypeError: first argument number is not a string or Buffer-like object",
    ),
    (
        "from-object",
        "Buffer.from({})",
        "TypeError: first argument object is not a string or Buffer-like object",
    ),
    (
        "from-offset-out",
        "Buffer.from(new ArrayBuffer(2), 3)",
        'RangeError: "offset" is outside of buffer bounds',
    ),
    (
        "from-length-out",
        "Buffer.from(new ArrayBuffer(2), 1, 2)",
        'RangeError: "length" is outside of buffer bounds',
    ),
    ("alloc-size-type", "Buffer.alloc('1')", 'TypeError: "size" argument must be of type number'),
    ("alloc-size-negative", "Buffer.allocUnsafe(-1)", "RangeError: invalid size"),
    (
        "byte-length-number",
        "Buffer.byteLength(1)",
        "TypeError: first argument number is not a string or Buffer-like object",
    ),
    (
        "concat-not-array",
        "Buffer.concat('a')",
        'TypeError: "list" argument must be an instance of Array',
    ),
    (
        "concat-bad-member",
        "Buffer.concat([Buffer.from('a'), 'b'])",
        'TypeError: "list[1]" argument must be an instance of Buffer or Uint8Array',
    ),
    (
        "equals-string",
        "Buffer.from('a').equals('a')",
        'TypeError: "target" argument must be an instance of Buffer or Uint8Array',
    ),
    (
        "compare-source",
        "Buffer.compare('a', Buffer.from('a'))",
        'TypeError: "source" argument must be an instance of Buffer or Uint8Array',
    ),
    (
        "compare-range",
        "Buffer.from('a').compare(Buffer.from('a'), 2)",
        'RangeError: "targetStart" is out of range: 2',
    ),
    (
        "copy-range-error",
        "Buffer.from('a').copy(Buffer.alloc(1), 0, 0, 5)",
        'RangeError: "sourceEnd" is out of range: 5',
    ),
    (
        "read-out-of-bounds",
        "Buffer.alloc(3).readUInt16BE(2)",
        "RangeError: index 2 is outside the bound of the buffer",
    ),
    (
        "write-out-of-bounds",
        "Buffer.alloc(3).writeUInt16LE(1, 2)",
        "RangeError: index 2 is outside the bound of the buffer",
    ),
    (
        "read-double-out",
        "Buffer.alloc(8).readDoubleLE(1)",
        "RangeError: index 1 is outside the bound of the buffer",
    ),
    ("byte-length-7", "Buffer.alloc(8).readIntBE(0, 7)", 'TypeError: "byteLength" must be <= 6'),
    (
        "write-byte-length-7",
        "Buffer.alloc(8).writeUIntLE(1, 0, 7)",
        'TypeError: "byteLength" must be <= 6',
    ),
    (
        "byte-length-missing",
        "Buffer.alloc(8).readUIntBE(0)",
        'TypeError: "byteLength" is not a number',
    ),
    ("negative-offset", "Buffer.alloc(4).readUInt8(-1)", "RangeError: invalid index"),
    (
        "swap16-odd",
        "Buffer.alloc(3).swap16()",
        "RangeError: Buffer size must be a multiple of 16-bits",
    ),
    (
        "swap32-bad",
        "Buffer.alloc(6).swap32()",
        "RangeError: Buffer size must be a multiple of 32-bits",
    ),
    (
        "swap64-bad",
        "Buffer.alloc(12).swap64()",
        "RangeError: Buffer size must be a multiple of 64-bits",
    ),
    ("write-not-string", "Buffer.alloc(4).write(1)", "TypeError: first argument must be a string"),
    (
        "write-offset-out",
        "Buffer.alloc(4).write('evil', 4, 1)",
        'RangeError: "offset" is out of range',
    ),
    ("fill-offset-out", "Buffer.alloc(4).fill(1, 5)", 'RangeError: "offset" is out of range'),
    ("fill-end-out", "Buffer.alloc(4).fill(1, 0, 5)", 'RangeError: "end" is out of range'),
    (
        "index-of-bad-value",
        "Buffer.alloc(4).indexOf({})",
        'TypeError: "value" argument object is not a string or Buffer-like object',
    ),
    (
        "index-of-bad-encoding",
        "Buffer.from('ab').indexOf('a', 0, 'latin1')",
        'TypeError: "latin1" encoding is not supported',
    ),
    (
        "decoder-latin1",
        "new TextDecoder('latin1')",
        'RangeError: The "latin1" encoding is not supported',
    ),
    (
        "decoder-upper",
        "new TextDecoder('UTF-8')",
        'RangeError: The "UTF-8" encoding is not supported',
    ),
    (
        "decoder-fatal",
        "new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xf0, 0xa0]))",
        "TypeError: The encoded data was not valid",
    ),
    (
        "decoder-input",
        "new TextDecoder().decode('abc')",
        'TypeError: The "input" argument must be an instance of TypedArray',
    ),
    (
        "decoder-options-type",
        "new TextDecoder('utf-8', 1)",
        'TypeError: The "options" argument must be of type object',
    ),
    (
        "encode-into-destination",
        "new TextEncoder().encodeInto('a', [])",
        'TypeError: The "destination" argument must be an instance of Uint8Array',
    ),
    ("qs-max-keys", "qs.parse('a=1', null, null, {maxKeys: 'x'})", "TypeError: is not a number"),
    (
        "qs-decoder",
        "qs.parse('a=1', null, null, {decodeURIComponent: 1})",
        "TypeError: option decodeURIComponent is not a function",
    ),
    (
        "qs-encoder",
        "qs.stringify({a: 1}, null, null, {encodeURIComponent: 1})",
        "TypeError: option encodeURIComponent is not a function",
    ),
    (
        "qs-unescape-replaced",
        "qs.unescape = 123; qs.parse('a=1')",
        "TypeError: QueryString.unescape is not a function",
    ),
    (
        "qs-escape-replaced",
        "qs.escape = 123; qs.stringify({a: 1})",
        "TypeError: QueryString.escape is not a function",
    ),
    ("btoa-wide", "btoa('\\u0100')", "TypeError: invalid character (>= U+00FF)"),
    (
        "atob-bad-char",
        "atob('AA@A')",
        "TypeError: the string to be decoded is not correctly encoded",
    ),
    (
        "atob-bad-length",
        "atob('AAAAA')",
        "TypeError: the string to be decoded is not correctly encoded",
    ),
    (
        "atob-inner-padding",
        "atob('A==A')",
        "TypeError: the string to be decoded is not correctly encoded",
    ),
    (
        "atob-undefined",
        "atob(undefined)",
        "TypeError: the string to be decoded is not correctly encoded",
    ),
    # -- crypto --------------------------------------------------------------------------------
    (
        "hash-upper-case",
        "crypto.createHash('SHA256')",
        'TypeError: not supported algorithm: "SHA256"',
    ),
    ("hash-sha512", "crypto.createHash('sha512')", 'TypeError: not supported algorithm: "sha512"'),
    (
        "hmac-unknown",
        "crypto.createHmac('sha384', 'k')",
        'TypeError: not supported algorithm: "sha384"',
    ),
    ("hash-not-a-string", "crypto.createHash(1)", "TypeError: algorithm must be a string"),
    (
        "digest-latin1",
        "crypto.createHash('md5').digest('latin1')",
        'TypeError: Unknown digest encoding: "latin1"',
    ),
    (
        "digest-utf8",
        "crypto.createHash('md5').digest('utf8')",
        'TypeError: Unknown digest encoding: "utf8"',
    ),
    (
        "digest-upper-case",
        "crypto.createHmac('md5', 'k').digest('HEX')",
        'TypeError: Unknown digest encoding: "HEX"',
    ),
    (
        "digest-not-a-string",
        "crypto.createHash('md5').digest(null)",
        "TypeError: encoding must be a string",
    ),
    (
        "digest-twice",
        "const h = crypto.createHash('md5'); h.digest(); h.digest()",
        "Error: Digest already called",
    ),
    (
        "hmac-digest-twice",
        "const h = crypto.createHmac('md5', 'k'); h.digest('hex'); h.digest('hex')",
        "Error: Digest already called",
    ),
    (
        "update-after-digest",
        "const h = crypto.createHash('md5'); h.digest(); h.update('a')",
        "Error: Digest already called",
    ),
    (
        "hmac-update-after-digest",
        "const h = crypto.createHmac('md5', 'k'); h.digest(); h.update('a')",
        "Error: Digest already called",
    ),
    (
        "copy-after-digest",
        "const h = crypto.createHash('md5'); h.digest(); h.copy()",
        "Error: Digest already called",
    ),
    (
        "update-latin1",
        "crypto.createHash('md5').update('a', 'latin1')",
        'TypeError: "latin1" encoding is not supported',
    ),
    (
        "update-binary",
        "crypto.createHash('md5').update('a', 'binary')",
        'TypeError: "binary" encoding is not supported',
    ),
    (
        "update-ascii",
        "crypto.createHmac('md5', 'k').update('a', 'ascii')",
        'TypeError: "ascii" encoding is not supported',
    ),
    (
        "update-upper-case-encoding",
        "crypto.createHash('md5').update('a', 'UTF8')",
        'TypeError: "UTF8" encoding is not supported',
    ),
    (
        "update-encoding-not-a-string",
        "crypto.createHash('md5').update('a', 1)",
        "TypeError: encoding must be a string",
    ),
    (
        "update-number",
        "crypto.createHash('md5').update(1)",
        "TypeError: data is not a string or Buffer-like object",
    ),
    (
        "update-array-buffer",
        "crypto.createHash('md5').update(new ArrayBuffer(1))",
        "TypeError: data is not a string or Buffer-like object",
    ),
    (
        "update-data-view",
        "crypto.createHmac('md5', 'k').update(new DataView(new ArrayBuffer(1)))",
        "TypeError: data is not a string or Buffer-like object",
    ),
    (
        "hmac-key-number",
        "crypto.createHmac('md5', 1)",
        "TypeError: key is not a string or Buffer-like object",
    ),
    (
        "hash-this",
        "crypto.createHash('md5').update.call({}, 'a')",
        'TypeError: "this" is not a hash object',
    ),
    (
        "hmac-this",
        "crypto.createHmac('md5', 'k').digest.call(crypto.createHash('md5'))",
        'TypeError: "this" is not a hmac object',
    ),
]


@pytest.mark.parametrize(
    ("expression", "expected"), [case[1:] for case in VALUES], ids=[case[0] for case in VALUES]
)
def test_value(expression: str, expected: str) -> None:
    assert value_of(expression) == expected


@pytest.mark.parametrize(
    ("statement", "expected"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS]
)
def test_error(statement: str, expected: str) -> None:
    assert error_of(statement) == expected


def test_the_case_ids_are_unique() -> None:
    ids = [case[0] for case in VALUES] + [case[0] for case in ERRORS]
    assert len(ids) == len(set(ids))


def test_every_documented_buffer_function_exists() -> None:
    static = [
        "alloc",
        "allocUnsafe",
        "byteLength",
        "compare",
        "concat",
        "from",
        "isBuffer",
        "isEncoding",
    ]
    prototype = [
        "compare",
        "copy",
        "equals",
        "fill",
        "includes",
        "indexOf",
        "lastIndexOf",
        "subarray",
        "swap16",
        "swap32",
        "swap64",
        "toJSON",
        "toString",
        "write",
    ]
    for kind in ["Int8", "UInt8", "Int16BE", "Int16LE", "UInt16BE", "UInt16LE", "Int32BE",
                 "Int32LE", "UInt32BE", "UInt32LE", "IntBE", "IntLE", "UIntBE", "UIntLE",
                 "FloatBE", "FloatLE", "DoubleBE", "DoubleLE"]:  # fmt: skip
        prototype += [f"read{kind}", f"write{kind}"]
    assert len(static) + len(prototype) == 58
    names = js(static) + ".filter(n => typeof Buffer[n] !== 'function')"
    assert value_of(names) == "[]"
    own = js(prototype) + ".filter(n => !Object.prototype.hasOwnProperty.call(Buffer.prototype, n))"
    assert value_of(own) == "[]"


# -- Every module function, under the faithful profile ------------------------------------------
# The faithful profile deletes what absent.json lists before the user's code runs, and the modules
# are evaluated later, on first use, in the same global: every case above runs that way.

# What each module offers, read from the runtime itself: "owner.name" for every own function.
SURFACE = """
  const out = [];
  const add = (owner, object) => Object.getOwnPropertyNames(object).forEach((name) => {
    const d = Object.getOwnPropertyDescriptor(object, name);
    if (name !== 'constructor' && (typeof d.value === 'function' || d.get)) out.push(owner + '.' + name);
  });
  const crypto = require('crypto');
  add('Buffer', Buffer);
  add('Buffer.prototype', Buffer.prototype);
  add('TextEncoder.prototype', TextEncoder.prototype);
  add('TextDecoder.prototype', TextDecoder.prototype);
  add('querystring', require('querystring'));
  add('crypto', crypto);
  add('Hash', Object.getPrototypeOf(crypto.createHash('md5')));
  add('Hmac', Object.getPrototypeOf(crypto.createHmac('md5', 'k')));
  out.push('global.atob', 'global.btoa');
  console.log(JSON.stringify(out));
"""


def module_functions() -> list[str]:
    result = execute(SURFACE)
    assert result.error == ""
    return json.loads(result.logs[0])


def test_every_module_function_has_a_case() -> None:
    """Each function of each module (and each accessor) is called by at least one case above,
    so each runs, under the default faithful profile, with every absent built-in gone."""
    cases = "\n".join(case[1] for case in VALUES + ERRORS)
    uncovered = []
    for function in module_functions():
        owner, name = function.rsplit(".", 1)
        if owner == "global":
            pattern = rf"\b{name}\("
        elif owner in ("Buffer", "querystring", "crypto"):
            prefix = {"Buffer": "Buffer", "querystring": "qs", "crypto": "crypto"}[owner]
            pattern = rf"\b{prefix}\.{name}\b"
        else:
            pattern = rf"\.{name}\b"
        if not re.search(pattern, cases):
            uncovered.append(function)
    assert uncovered == []


def test_the_cases_run_under_the_faithful_profile() -> None:
    result = execute(
        "console.log(typeof Map + ' ' + typeof [].flat + ' ' + typeof ''.toWellFormed);"
    )
    assert result.profile == "faithful"
    assert result.logs == ("undefined undefined undefined",)


# Every entry of absent.json, looked up from the global object; "Iterator.prototype" is reached
# through an array iterator, since the faithful profile removes the global Iterator.
PRESENT = """
  const absent = %s;
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  const has = (object, name) => Object.prototype.hasOwnProperty.call(object, name);
  const present = absent.globals.filter((name) => has(globalThis, name));
  Object.keys(absent.methods).forEach((path) => {
    let owner = globalThis;
    if (path === 'Iterator.prototype') owner = iteratorPrototype;
    else path.split('.').forEach((part) => { owner = owner[part]; });
    absent.methods[path].forEach((name) => { if (has(owner, name)) present.push(path + '.' + name); });
  });
  console.log(JSON.stringify(present));
"""


def present_of_absent(profile: str) -> list[str]:
    body = PRESENT % engine.sources()["absent"]
    code = SHOW + f"function connectionHandler(c) {{ {body} }}"
    result = run(code.encode(), {}, None, NOW, engine.RunSettings(profile=profile))
    assert result.error == ""
    return json.loads(result.logs[0])


def test_the_faithful_profile_removes_every_absent_built_in() -> None:
    assert present_of_absent("faithful") == []


def test_the_permissive_profile_keeps_them() -> None:
    """Under permissive every entry QuickJS-ng has is still there; the entries it lacks are
    listed for the faithful profile's sake (spec §3) and must stay out of both."""
    absent = json.loads(engine.sources()["absent"])
    listed = list(absent["globals"]) + [
        f"{owner}.{name}" for owner, names in absent["methods"].items() for name in names
    ]
    not_in_quickjs = ["Intl", "WebAssembly", "structuredClone", "URL", "URLSearchParams", "crypto"]
    assert present_of_absent("permissive") == [e for e in listed if e not in not_in_quickjs]


# One call of each module function; both profiles must print the same.
EVERY_FUNCTION = """
  const qs = require('querystring');
  const crypto = require('crypto');
  const b = Buffer.alloc(16);
  b.write('hi', 0); b.writeUInt8(1, 2); b.writeInt8(-1, 3); b.writeUInt16BE(258, 4);
  b.writeInt32LE(-2, 6); b.writeDoubleBE(0.5, 8);
  const log = (value) => console.log(typeof value === 'string' ? value : JSON.stringify(value));
  log(b.toString('hex'));
  log([b.readUInt8(2), b.readInt8(3), b.readUInt16BE(4), b.readInt32LE(6), b.readDoubleBE(8)]);
  log([b.indexOf('i'), b.lastIndexOf(0), b.includes('hi'), b.equals(Buffer.from(b)), b.compare(Buffer.alloc(1))]);
  log(Buffer.concat([Buffer.from('YWI=', 'base64'), Buffer.from('-_8', 'base64url')]).toString('base64'));
  log([Buffer.byteLength('é'), Buffer.isBuffer(b), Buffer.isEncoding('hex'), Buffer.compare(b, b)]);
  log(Buffer.from([1, 2, 3, 4]).swap16().swap32().toJSON());
  log(Buffer.allocUnsafe(2).fill('a').subarray(1).slice(0).toString());
  log(new TextDecoder('utf-8', {fatal: true}).decode(new TextEncoder().encode('€')));
  log(new TextEncoder().encodeInto('abc', new Uint8Array(2)));
  log([qs.parse('a=1&a=%C3%A9+x'), qs.stringify({a: [1, 2], b: 'é'}), qs.escape('a b'), qs.unescape('%41')]);
  log([btoa('hi'), atob('aGk=')]);
  const h = crypto.createHash('sha256').update('a');
  log([h.copy().digest('hex'), h.update(Buffer.from('b')).digest('base64')]);
  log(crypto.createHmac('md5', 'key').update('data').digest('base64url'));
"""


def test_the_modules_run_alike_under_both_profiles() -> None:
    code = SHOW + f"function connectionHandler(c) {{ {EVERY_FUNCTION} }}"
    faithful = run(code.encode(), {}, None, NOW, engine.RunSettings(profile="faithful"))
    permissive = run(code.encode(), {}, None, NOW, engine.RunSettings(profile="permissive"))
    assert faithful.error == ""
    assert len(faithful.logs) == 13
    assert faithful.logs == permissive.logs
    assert faithful.logs[-2:] == (
        json.dumps(
            [hashlib.sha256(b"a").hexdigest(), b64(hashlib.sha256(b"ab").digest())],
            separators=(",", ":"),
        ),
        b64url(hmac.new(b"key", b"data", "md5").digest()),
    )


# -- Through boto3 -------------------------------------------------------------------------------

MODULES_CODE = b"""function connectionHandler(connection) {
  const querystring = require('querystring');
  const query = querystring.parse('serial=00%3A9e&tag=a&tag=b', null, null, {maxKeys: 2});
  const serial = Buffer.from(query.serial.replaceAll(':', ''), 'hex');
  console.log(serial.toString('base64url') + ' ' + serial.readUInt16BE(0));
  console.log(btoa(String.fromCharCode(0xff)) + ' ' + Buffer.isEncoding('latin1'));
  console.log(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])));
  connection.logCustomData(querystring.stringify({tags: query.tag, x: null}));
  Buffer.from('x', 'latin1');
}
"""


def test_the_modules_through_boto3() -> None:
    with mock_connection_functions():
        client = boto3.client("cloudfront", region_name="us-east-1")
        created = client.create_connection_function(
            Name="modules",
            ConnectionFunctionConfig={"Comment": "modules", "Runtime": "cloudfront-js-2.0"},
            ConnectionFunctionCode=MODULES_CODE,
        )
        result = client.test_connection_function(
            Id=created["ConnectionFunctionSummary"]["Id"],
            IfMatch=created["ETag"],
            ConnectionObject=b'{"clientIp": "192.0.2.1"}',
        )["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionExecutionLogs"] == [
        f"{b64url(bytes.fromhex('009e'))} {0x009E}",
        b64(b"\xff") + " false",
        "hi",
    ]
    assert result["ConnectionFunctionErrorMessage"] == (
        'TypeError: "latin1" encoding is not supported'
    )
    output = json.loads(result["ConnectionFunctionOutput"])["connection"]
    assert output == {"action": "deny", "customData": "tags=a&x="}


@pytest.mark.parametrize(
    ("body", "logs", "error"),
    [
        (
            "console.log(String(Buffer.from('a').compare(Buffer.from('b'))));"
            "console.log(Buffer.from('hello').lastIndexOf('l') + ' ' + Buffer.alloc(4, 'ab'));",
            ["-1", "3 abab"],
            "",
        ),
        (
            "new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xff]));",
            [],
            "TypeError: The encoded data was not valid",
        ),
        ("btoa('\\u20ac');", [], "TypeError: invalid character (>= U+00FF)"),
    ],
    ids=["values", "decoder-error", "btoa-error"],
)
def test_module_results_through_boto3(body: str, logs: list[str], error: str) -> None:
    with mock_connection_functions():
        client = boto3.client("cloudfront", region_name="us-east-1")
        created = client.create_connection_function(
            Name="modules",
            ConnectionFunctionConfig={"Comment": "modules", "Runtime": "cloudfront-js-2.0"},
            ConnectionFunctionCode=f"function connectionHandler(c) {{ {body} c.allow(); }}".encode(),
        )
        result = client.test_connection_function(
            Id=created["ConnectionFunctionSummary"]["Id"],
            IfMatch=created["ETag"],
            ConnectionObject=b"{}",
        )["ConnectionFunctionTestResult"]
    assert result.get("ConnectionFunctionExecutionLogs", []) == logs
    assert result["ConnectionFunctionErrorMessage"] == error
    action = "deny" if error else "allow"
    assert json.loads(result["ConnectionFunctionOutput"])["connection"]["action"] == action
