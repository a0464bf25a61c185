# ruff: noqa: E501 -- a table of JavaScript probes, one per line
"""A differential oracle: the same probes through cfmock and through the ``njs`` command-line
engine (Debian's ``njs`` package, 0.7.9), compared as printed text (issue 10 item 6).

Each probe is a JavaScript expression. The probes of a group (the part of the id before the
dot) run together: one cfmock run and one ``njs`` process per group, each printing one line per
probe, ``id<TAB>shown value`` (or ``id<TAB>!`` and the error when the expression throws). Both
engines get the same script text; only language constructs both accept are used.

Every known difference is listed in ``DIFFERENCES`` with its reason, and the same table is in
the "Differences from njs" section of ``docs/runtime.md``. A probe fails when it differs and is
not listed, and when it is listed but no longer differs, so the table stays true.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cfmock._runtime import engine
from cfmock._runtime.engine import run

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
DOC = Path(__file__).resolve().parent.parent / "docs" / "runtime.md"
SECTION = "## Differences from njs"

# show(v): the type and a canonical text, built only from what both engines share.
SHOW = r"""
function show(v) {
  var t = typeof v;
  if (t === 'string') return 'string ' + JSON.stringify(v);
  if (t === 'number') return 'number ' + (v === 0 && 1 / v < 0 ? '-0' : String(v));
  if (t === 'boolean' || t === 'undefined') return t + ' ' + String(v);
  if (t === 'function') return 'function';
  if (v === null) return 'null';
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return 'Buffer ' + v.toString('hex');
  if (v instanceof Uint8Array) return 'Uint8Array ' + Array.prototype.join.call(v, ',');
  if (Array.isArray(v)) return 'array ' + JSON.stringify(v);
  return 'object ' + JSON.stringify(v);
}
function probe(id, f) {
  var out;
  try { out = show(f()); } catch (e) { out = '! ' + String(e); }
  console.log(id + '\t' + out);
}
"""

# (id, expression). The group is the id's part before the dot.
# fmt: off
PROBES: list[tuple[str, str]] = [
    # -- Buffer ------------------------------------------------------------------------------
    ("buffer.from-utf8-hex", "Buffer.from('héllo €').toString('hex')"),
    ("buffer.from-utf-8", "Buffer.from('abc', 'utf-8').toString('base64')"),
    ("buffer.from-hex", "Buffer.from('00ff10', 'hex')"),
    ("buffer.from-base64", "Buffer.from('aGVsbG8=', 'base64').toString()"),
    ("buffer.from-base64url", "Buffer.from('-_8', 'base64url').toString('hex')"),
    ("buffer.from-array", "Buffer.from([1, 2, 255, 256])"),
    ("buffer.to-base64", "Buffer.from([0, 1, 250, 251, 252]).toString('base64')"),
    ("buffer.to-base64url", "Buffer.from([0, 1, 250, 251, 252]).toString('base64url')"),
    ("buffer.to-utf8-invalid", "Buffer.from([0x61, 0xff, 0x62]).toString('utf8')"),
    ("buffer.to-latin1", "Buffer.from('abc').toString('latin1')"),
    ("buffer.alloc-fill", "Buffer.alloc(5, 'ab')"),
    ("buffer.byteLength", "Buffer.byteLength('héllo')"),
    ("buffer.concat", "Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]).toString()"),
    ("buffer.concat-empty", "Buffer.concat([]).length"),
    ("buffer.compare", "[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('a'), Buffer.from('a'))]"),
    ("buffer.equals", "[Buffer.from('ab').equals(Buffer.from('ab')), Buffer.from('ab').equals(Buffer.from('ac'))]"),
    ("buffer.slice", "Buffer.from('hello').slice(1, 3).toString()"),
    ("buffer.subarray", "Buffer.from('hello').subarray(-3).toString()"),
    ("buffer.slice-shares", "(function () { var b = Buffer.from('abc'); b.slice(0, 1)[0] = 0x7a; return b.toString(); })()"),
    ("buffer.isBuffer", "[Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('a')]"),
    ("buffer.isEncoding", "[Buffer.isEncoding('utf8'), Buffer.isEncoding('hex'), Buffer.isEncoding('UTF8'), Buffer.isEncoding('latin1')]"),
    ("buffer.readUInt8", "Buffer.from([1, 2, 3, 4]).readUInt8(3)"),
    ("buffer.readUInt16BE", "Buffer.from([1, 2, 3, 4]).readUInt16BE(1)"),
    ("buffer.readUInt16LE", "Buffer.from([1, 2, 3, 4]).readUInt16LE(1)"),
    ("buffer.readUInt32BE", "Buffer.from([0xff, 2, 3, 4]).readUInt32BE(0)"),
    ("buffer.readInt32LE", "Buffer.from([1, 2, 3, 0xff]).readInt32LE(0)"),
    ("buffer.readUIntBE", "Buffer.from([1, 2, 3, 4, 5, 6]).readUIntBE(0, 6)"),
    ("buffer.writeUInt16BE", "(function () { var b = Buffer.alloc(4); var r = b.writeUInt16BE(0x1234, 1); return [r, b.toString('hex')]; })()"),
    ("buffer.writeUInt32LE", "(function () { var b = Buffer.alloc(4); b.writeUInt32LE(0xdeadbeef, 0); return b; })()"),
    ("buffer.writeInt8", "(function () { var b = Buffer.alloc(2); b.writeInt8(-2, 1); return b; })()"),
    ("buffer.readDoubleBE", "Buffer.from('400921fb54442d18', 'hex').readDoubleBE(0)"),
    ("buffer.toJSON", "Buffer.from([1, 2]).toJSON()"),
    ("buffer.indexOf", "[Buffer.from('hello').indexOf('l'), Buffer.from('hello').lastIndexOf('l'), Buffer.from('hello').includes('ell')]"),
    ("buffer.copy", "(function () { var t = Buffer.alloc(4); var n = Buffer.from('xyz').copy(t, 1); return [n, t.toString('hex')]; })()"),
    ("buffer.swap16", "Buffer.from([1, 2, 3, 4]).swap16()"),
    ("buffer.fill", "Buffer.alloc(3).fill('ab').toString()"),
    # -- TextEncoder / TextDecoder -----------------------------------------------------------
    ("text.encode", "new TextEncoder().encode('h€')"),
    ("text.encode-empty", "new TextEncoder().encode('').length"),
    ("text.encoding", "[new TextEncoder().encoding, new TextDecoder().encoding]"),
    ("text.decode", "new TextDecoder().decode(new Uint8Array([104, 0xe2, 0x82, 0xac]))"),
    ("text.round-trip", "new TextDecoder().decode(new TextEncoder().encode('héllo wörld €'))"),
    ("text.decode-invalid", "new TextDecoder().decode(new Uint8Array([0x61, 0xff]))"),
    ("text.decode-bom", "new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).length"),
    ("text.decode-fatal", "new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xff]))"),
    ("text.encodeInto", "(function () { var u = new Uint8Array(2); var r = new TextEncoder().encodeInto('abc', u); return [r.read, r.written, u[0], u[1]]; })()"),
    # -- querystring -------------------------------------------------------------------------
    ("qs.parse", "require('querystring').parse('a=1&b=x%20y&a=2&c')"),
    ("qs.parse-plus", "require('querystring').parse('q=a+b%2Bc')"),
    ("qs.parse-sep", "require('querystring').parse('a:1;b:2', ';', ':')"),
    ("qs.parse-malformed", "require('querystring').parse('a=%zz&b=%')"),
    ("qs.stringify", "require('querystring').stringify({a: 'b c', d: ['1', '2'], e: 'é&='})"),
    ("qs.stringify-sep", "require('querystring').stringify({a: 1, b: true}, ';', ':')"),
    ("qs.escape", "require('querystring').escape('a b&c=d/é')"),
    ("qs.unescape", "require('querystring').unescape('a%20b%26c%C3%A9')"),
    ("qs.aliases", "[require('querystring').decode('a=1&a=2'), require('querystring').encode({a: [1, 2]})]"),
    # -- atob / btoa -------------------------------------------------------------------------
    ("b64.btoa", "btoa('hello')"),
    ("b64.btoa-latin1", "btoa('\\u00ff\\u00fe')"),
    ("b64.atob", "atob('aGVsbG8=')"),
    ("b64.atob-unpadded", "atob('aGVsbG8')"),
    ("b64.btoa-wide", "btoa('\\u0100')"),
    # -- crypto ------------------------------------------------------------------------------
    ("crypto.md5-hex", "require('crypto').createHash('md5').update('abc').digest('hex')"),
    ("crypto.sha1-hex", "require('crypto').createHash('sha1').update('abc').digest('hex')"),
    ("crypto.sha256-hex", "require('crypto').createHash('sha256').update('abc').digest('hex')"),
    ("crypto.sha256-base64", "require('crypto').createHash('sha256').update('a').update('bc').digest('base64')"),
    ("crypto.md5-base64url", "require('crypto').createHash('md5').update('').digest('base64url')"),
    ("crypto.sha1-buffer", "require('crypto').createHash('sha1').update(Buffer.from([1, 2, 3])).digest()"),
    ("crypto.hmac-sha256", "require('crypto').createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex')"),
    ("crypto.hmac-md5", "require('crypto').createHmac('md5', 'key').update('data').digest('base64')"),
    ("crypto.hmac-sha1-long-key", "require('crypto').createHmac('sha1', new Array(100).join('k')).update('x').digest('hex')"),
    ("crypto.utf8-input", "require('crypto').createHash('sha256').update('€').digest('hex')"),
    # -- JSON --------------------------------------------------------------------------------
    ("json.stringify-edge", "JSON.stringify([NaN, Infinity, -0, undefined, null, function () {}])"),
    ("json.stringify-object", "JSON.stringify({a: undefined, b: 1, c: 'x\\ny', d: [1, {e: null}]})"),
    ("json.stringify-indent", "JSON.stringify({a: [1, 2]}, null, 2)"),
    ("json.stringify-replacer", "JSON.stringify({a: 1, b: 2, c: 3}, ['a', 'c'])"),
    ("json.stringify-control", "JSON.stringify('\\u0001\\t\"\\\\')"),
    ("json.stringify-date", "JSON.stringify(new Date(0))"),
    ("json.parse", "JSON.parse('{\"a\":[1,2.5,\"x\"],\"b\":null}')"),
    ("json.parse-reviver", "JSON.parse('{\"a\":1,\"b\":2}', function (k, v) { return typeof v === 'number' ? v * 10 : v; })"),
    # -- Number and Math ---------------------------------------------------------------------
    ("number.toFixed", "[(1.005).toFixed(2), (123.456).toFixed(1), (0).toFixed(3), (-1.5).toFixed(0)]"),
    ("number.toString-radix", "[(255).toString(16), (255).toString(2), (-255).toString(36)]"),
    ("number.toString-fraction", "(0.5).toString(16)"),
    ("number.toPrecision", "[(123.456).toPrecision(4), (0.00001).toPrecision(1)]"),
    ("number.toExponential", "(123456).toExponential(2)"),
    ("number.parseInt", "[parseInt('0x1f'), parseInt('12px'), parseInt('ff', 16), parseInt('z')]"),
    ("number.parseFloat", "[parseFloat('3.14abc'), parseFloat('.5'), parseFloat('1e3')]"),
    ("number.String", "[String(1e21), String(1e-7), String(123456789012345680000), String(1 / 3), String(5e-324), 0.1 + 0.2 === 0.30000000000000004]"),
    ("number.shortest", "[String(0.1 + 0.2), String(Math.cbrt(27))]"),
    ("number.constants", "[Number.MAX_SAFE_INTEGER, Number.EPSILON > 0, Number.isInteger(5.0), Number.isSafeInteger(Math.pow(2, 53))]"),
    ("math.functions", "[Math.max(1, 3, 2), Math.min(), Math.round(2.5), Math.round(-2.5), Math.trunc(-4.7), Math.sign(-3)]"),
    ("math.more", "[Math.hypot(3, 4), Math.log2(8), Math.clz32(1), Math.fround(5.5), Math.expm1(0), Math.atan2(1, 1) * 4 === Math.PI]"),
    ("math.cbrt", "Math.cbrt(27) - 3"),
    # -- String ------------------------------------------------------------------------------
    ("string.padStart", "['5'.padStart(3, '0'), 'abc'.padEnd(6, '12'), 'x'.padStart(1)]"),
    ("string.repeat", "'ab'.repeat(3)"),
    ("string.split", "['a,b,,c'.split(','), 'abc'.split(''), 'a1b2c'.split(/\\d/), 'a,b'.split(',', 1)]"),
    ("string.replace-regex", "'a-b_c'.replace(/[-_]/g, '+')"),
    ("string.replace-groups", "'john smith'.replace(/(\\w+)\\s(\\w+)/, '$2, $1')"),
    ("string.replace-fn", "'abc'.replace(/b/, function (m, i) { return m.toUpperCase() + i; })"),
    ("string.replaceAll", "'a.b.c'.replaceAll('.', '/')"),
    ("string.includes", "['hello'.includes('ell'), 'hello'.startsWith('he'), 'hello'.endsWith('lo'), 'hello'.startsWith('l', 2)]"),
    ("string.trim", "[' a '.trim(), ' a '.trimStart(), ' a '.trimEnd()]"),
    ("string.codePointAt", "['😀'.codePointAt(0), 'a'.codePointAt(0), String.fromCodePoint(128512) === '😀']"),
    ("string.at", "typeof ''.at"),
    ("string.length-astral", "'😀'.length"),
    ("string.charCodeAt-astral", "'😀'.charCodeAt(0)"),
    ("string.case", "['Straße'.toUpperCase(), 'ÀB'.toLowerCase()]"),
    ("string.indexOf", "['banana'.indexOf('an'), 'banana'.lastIndexOf('an'), 'banana'.search(/n/)]"),
    ("string.substring", "['hello'.substring(3, 1), 'hello'.substr(1, 3), 'hello'.slice(-3, -1)]"),
    ("string.match", "'a1b22c333'.match(/\\d+/g)"),
    ("string.template", "`a${1 + 1}b${'c'}`"),
    # -- Array -------------------------------------------------------------------------------
    ("array.map-filter-reduce", "[1, 2, 3, 4].map(function (x) { return x * x; }).filter(function (x) { return x % 2 === 0; }).reduce(function (a, b) { return a + b; }, 0)"),
    ("array.sort-default", "[10, 9, 1, 100].sort()"),
    ("array.sort-fn", "[3, 1, 2].sort(function (a, b) { return b - a; })"),
    ("array.sort-stable", "[{k: 1, v: 'a'}, {k: 0, v: 'b'}, {k: 1, v: 'c'}, {k: 0, v: 'd'}].sort(function (a, b) { return a.k - b.k; }).map(function (o) { return o.v; }).join('')"),
    ("array.indexOf", "[[1, 2, NaN].indexOf(NaN), [1, 2, NaN].includes(NaN), [1, 2, 3].lastIndexOf(3)]"),
    ("array.find", "[[5, 12, 8].find(function (x) { return x > 6; }), [5, 12, 8].findIndex(function (x) { return x > 6; })]"),
    ("array.flat", "typeof [].flat"),
    ("array.from", "typeof Array.from"),
    ("array.toSorted", "typeof [].toSorted"),
    ("array.of-fill", "[Array.of(1, 2), new Array(3).fill(0), [1, 2, 3, 4, 5].copyWithin(0, 3)]"),
    ("array.join", "[[1, null, undefined, 2].join('-'), [[1, 2], [3]].toString()]"),
    ("array.splice", "(function () { var a = [1, 2, 3, 4]; var r = a.splice(1, 2, 'x'); return [a, r]; })()"),
    ("array.some-every", "[[1, 2].some(function (x) { return x > 1; }), [1, 2].every(function (x) { return x > 1; })]"),
    ("array.arrow-rest", "((...r) => r.length)(1, 2, 3)"),
    ("array.keys", "typeof [].keys"),
    # -- Object ------------------------------------------------------------------------------
    ("object.keys", "Object.keys({b: 1, a: 2, 1: 3, 0: 4})"),
    ("object.entries", "Object.entries({a: 1, b: 'x'})"),
    ("object.values", "Object.values({a: 1, b: 'x'})"),
    ("object.assign", "Object.assign({a: 1}, {b: 2}, {a: 3})"),
    ("object.is", "[Object.is(NaN, NaN), Object.is(0, -0)]"),
    ("object.freeze", "(function () { var o = Object.freeze({a: 1}); try { o.a = 2; } catch (e) { return e.name; } return 'no error'; })()"),
    ("object.getter", "({get x() { return 42; }}).x"),
    ("object.computed-shorthand", "(function () { var k = 'a'; var o = {[k + 'b']: 1, m() { return 2; }}; return [o.ab, o.m()]; })()"),
    ("object.fromEntries", "typeof Object.fromEntries"),
    ("object.toString", "[Object.prototype.toString.call([]), Object.prototype.toString.call(null), String({})]"),
    # -- Date (explicit timestamps only) -----------------------------------------------------
    ("date.toISOString", "new Date(0).toISOString()"),
    ("date.getters", "(function () { var d = new Date(1700000000123); return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCDay(), d.getUTCMilliseconds()]; })()"),
    ("date.parse", "[Date.parse('2024-02-29T12:00:00Z'), Date.parse('2024-02-29T12:00:00.500Z'), Date.parse('2024-02-29')]"),
    ("date.parse-offset", "Date.parse('2024-02-29T12:00:00+01:00')"),
    ("date.UTC", "Date.UTC(2020, 11, 31, 23, 59, 59)"),
    ("date.invalid", "String(new Date(NaN).getTime())"),
    ("date.toUTCString", "new Date(86400000).toUTCString()"),
    ("date.toJSON", "new Date(1e12).toJSON()"),
    # -- RegExp ------------------------------------------------------------------------------
    ("regexp.exec-g", "(function () { var re = /a(\\d)/g, out = [], m; while ((m = re.exec('a1 a2 a3')) !== null) { out.push(m[1] + '@' + m.index); } return out; })()"),
    ("regexp.test-i", "[/HELLO/i.test('hello'), /HELLO/.test('hello')]"),
    ("regexp.multiline", "'a\\nb\\nc'.match(/^\\w$/gm)"),
    ("regexp.sticky", "(function () { var re = /a/y; re.lastIndex = 1; return [re.test('ba'), re.lastIndex, re.test('ba'), re.sticky]; })()"),
    ("regexp.flags", "[/a/gimy.flags, /a/g.global, /a/.source]"),
    ("regexp.named-groups", "/(?<year>\\d{4})-(?<month>\\d{2})/.exec('2024-05').groups.month"),
    ("regexp.lookbehind", "'$10 €20'.match(/(?<=\\$)\\d+/)[0]"),
    ("regexp.constructor", "new RegExp('a+b', 'g').exec('xaab').index"),
    ("regexp.lastIndex", "(function () { var re = /o/g; re.test('foo'); return re.lastIndex; })()"),
    ("regexp.toString", "String(/a\\/b/gi)"),
    # -- Language constructs both accept -----------------------------------------------------
    ("lang.nullish", "[null ?? 'd', 0 ?? 'd', undefined ?? 'd']"),
    ("lang.exponent", "(function () { var x = 2; x **= 10; return [2 ** 3, x]; })()"),
    ("lang.let-closure", "(function () { var fs = []; for (let i = 0; i < 3; i++) { fs.push(function () { return i; }); } return fs.map(function (f) { return f(); }); })()"),
    ("lang.typeof-null", "[typeof null, typeof [], typeof undefined, typeof 1, typeof Symbol.iterator]"),
    ("lang.for-in", "(function () { var o = {b: 1, a: 2}, ks = []; for (var k in o) { ks.push(k); } return ks; })()"),
    ("lang.switch-label", "(function () { var r = []; outer: for (var i = 0; i < 3; i++) { switch (i) { case 1: continue outer; default: r.push(i); } } return r; })()"),
    ("lang.error-name", "(function () { try { throw new RangeError('x'); } catch (e) { return [e.name, e.message, e instanceof Error, String(e)]; } })()"),
    ("lang.numeric-separator", "1_000_000"),
    ("lang.binary-octal", "[0b101, 0o17, 0xff]"),
    ("lang.promise", "typeof Promise.allSettled"),
    ("lang.symbol-for", "Symbol.keyFor(Symbol.for('k'))"),
    ("lang.uri", "[encodeURIComponent('a b/é?'), decodeURIComponent('%E2%82%AC'), encodeURI('http://x/a b?c=d&e')]"),
    ("lang.isNaN", "[isNaN('abc'), Number.isNaN('abc'), isFinite('12')]"),
    ("lang.typed-array", "(function () { var a = new Uint16Array([1, 65535, 65536]); return [a[0], a[1], a[2], a.length, a.byteLength]; })()"),
    ("lang.dataview", "(function () { var v = new DataView(new ArrayBuffer(4)); v.setUint16(0, 258); return [v.getUint8(0), v.getUint8(1), v.getUint16(0, true)]; })()"),
    # -- typeof of globals: the spec's present and absent lists (§3, §4) ---------------------
    ("global.present", "[typeof Buffer, typeof TextEncoder, typeof TextDecoder, typeof atob, typeof btoa, typeof console.log, typeof globalThis, typeof InternalError]"),
    ("global.Map", "typeof Map"),
    ("global.Set", "typeof Set"),
    ("global.WeakMap", "typeof WeakMap"),
    ("global.Proxy", "typeof Proxy"),
    ("global.Reflect", "typeof Reflect"),
    ("global.BigInt", "typeof BigInt"),
    ("global.Intl", "typeof Intl"),
    ("global.WebAssembly", "typeof WebAssembly"),
    ("global.URL", "typeof URL"),
    ("global.queueMicrotask", "typeof queueMicrotask"),
    ("global.structuredClone", "typeof structuredClone"),
    ("global.escape", "typeof escape"),
    ("global.setTimeout", "typeof setTimeout"),
    ("global.process", "typeof process"),
    ("global.require-buffer", "typeof require('buffer').Buffer"),
    ("global.crypto-keys", "Object.keys(require('crypto')).sort()"),
]
# fmt: on

# probe id -> why cfmock and njs 0.7.9 print different things. Mirrored, word for word, in the
# "Differences from njs" section of docs/runtime.md.
ABSENT = "njs has no {}, and CloudFront's list of supported features does not name it; QuickJS-ng has it, so cfmock accepts code that uses it"

DIFFERENCES: dict[str, str] = {
    "array.flat": ABSENT.format("`Array.prototype.flat`"),
    "array.from": "njs 0.7.9 has no `Array.from`; njs 0.8.0, the likely base of CloudFront's runtime, added it; QuickJS-ng has it",
    "array.toSorted": "njs 0.7.9 has no `toSorted`; njs 0.8.0, the likely base of CloudFront's runtime, added it; QuickJS-ng has it",
    "b64.atob-unpadded": "njs drops the last characters of an unpadded input (`'hel'`); cfmock keeps them, as browsers and Node do",
    "date.parse-offset": "njs 0.7.9's `Date.parse` gives `NaN` for an ISO date-time with a numeric offset (`+01:00`); QuickJS-ng parses it as ECMAScript says",
    "global.BigInt": ABSENT.format("`BigInt`"),
    "global.Map": ABSENT.format("`Map`"),
    "global.Proxy": ABSENT.format("`Proxy`"),
    "global.Reflect": ABSENT.format("`Reflect`"),
    "global.Set": ABSENT.format("`Set`"),
    "global.WeakMap": ABSENT.format("`WeakMap`"),
    "global.escape": ABSENT.format("`escape`"),
    "global.queueMicrotask": ABSENT.format("`queueMicrotask`"),
    "global.process": "the njs command line has `process`; CloudFront documents that functions have none, and cfmock has none",
    "global.require-buffer": "njs 0.7.9's `require('buffer').Buffer` is an object, not the `Buffer` function; cfmock's is the global `Buffer`",
    "global.setTimeout": "the njs command line has timers; CloudFront documents `setTimeout` and the other timers as unsupported, and cfmock has none",
    "number.shortest": "njs prints some doubles with a wrong last digit (`0.1 + 0.2` as `0.30000000000000007`; the value is the same, see `number.String`); QuickJS-ng prints the shortest text that reads back",
    "object.fromEntries": ABSENT.format("`Object.fromEntries`"),
    "object.keys": "njs 0.7.9 lists integer-like keys in insertion order; ECMAScript and QuickJS-ng list them first, in ascending order",
    "string.at": ABSENT.format("`String.prototype.at`"),
    "string.case": "njs maps case one character to one (`'ß'.toUpperCase()` is `'ß'`); QuickJS-ng applies Unicode's special casing (`'SS'`)",
    "string.charCodeAt-astral": "njs strings are code points, so `charCodeAt(0)` of an emoji is 128512; cfmock keeps JavaScript's UTF-16 code units, 55357, on purpose",
    "string.length-astral": "njs strings are code points, so an emoji's `length` is 1; cfmock keeps JavaScript's UTF-16 lengths, 2, on purpose",
    "string.replaceAll": "njs 0.7.9 has no `replaceAll`; njs 0.7.10 added it, and CloudFront documents it as new in runtime 2.0; QuickJS-ng has it",
}


def njs_missing() -> str | None:
    """Why njs cannot run here, or ``None``."""
    if shutil.which("njs") is None:
        return "the njs engine is not installed (Debian: apt-get install njs)"
    return None


def require_njs() -> None:
    """Skip without njs, with the command that installs it; in CI, where ``.ci/run`` installs
    it, fail instead."""
    missing = njs_missing()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {missing}", pytrace=False)
    pytest.skip(missing)


def group_of(probe_id: str) -> str:
    return probe_id.split(".", 1)[0]


def script(group: str) -> str:
    lines = [
        f"  probe({probe_id!r}, function () {{ return {expression}; }});"
        for probe_id, expression in PROBES
        if group_of(probe_id) == group
    ]
    return SHOW + "function connectionHandler(connection) {\n" + "\n".join(lines) + "\n}\n"


def parse(lines: list[str] | tuple[str, ...]) -> dict[str, str]:
    results: dict[str, str] = {}
    for line in lines:
        probe_id, _, shown = line.partition("\t")
        results[probe_id] = shown
    return results


@functools.cache
def through_cfmock(group: str) -> dict[str, str]:
    saved = engine.TIME_LIMIT
    # A crowded machine must not fail a group by the clock.
    engine.TIME_LIMIT = 30.0
    try:
        result = run(script(group).encode(), {}, None, NOW)
    finally:
        engine.TIME_LIMIT = saved
    assert result.error == "", result.error
    return parse(result.logs)


@functools.cache
def through_njs(group: str) -> dict[str, str]:
    code = script(group) + "connectionHandler({});\n"
    done = subprocess.run(
        ["njs", "-q", "-"],
        input=code.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return parse(done.stdout.decode().splitlines())


def test_probe_ids_are_unique_and_grouped() -> None:
    ids = [probe_id for probe_id, _ in PROBES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+\.[A-Za-z0-9-]+", i) for i in ids)
    assert set(DIFFERENCES) <= set(ids), set(DIFFERENCES) - set(ids)


@pytest.mark.parametrize(("probe_id", "expression"), PROBES, ids=[p for p, _ in PROBES])
def test_cfmock_prints_what_njs_prints(probe_id: str, expression: str) -> None:
    require_njs()
    group = group_of(probe_id)
    ours = through_cfmock(group)
    theirs = through_njs(group)
    assert probe_id in ours, f"cfmock printed nothing for {probe_id}: {expression}"
    assert probe_id in theirs, f"njs printed nothing for {probe_id}: {expression}"
    if probe_id in DIFFERENCES:
        assert ours[probe_id] != theirs[probe_id], (
            f"{probe_id} is listed as a difference ({DIFFERENCES[probe_id]}) but both print "
            f"{ours[probe_id]!r}: remove it from DIFFERENCES and docs/runtime.md"
        )
    else:
        assert ours[probe_id] == theirs[probe_id], (
            f"{expression}\n  cfmock: {ours[probe_id]}\n  njs:    {theirs[probe_id]}"
        )


def test_the_differences_table_is_in_the_docs() -> None:
    """docs/runtime.md lists the same differences, with the same reasons, in one table."""
    page = DOC.read_text(encoding="utf-8")
    assert SECTION in page
    section = page.split(SECTION, 1)[1].split("\n## ", 1)[0]
    for probe_id, reason in DIFFERENCES.items():
        assert f"| `{probe_id}` | {reason} |" in section, f"{probe_id} is not in {SECTION!r}"
    listed = set(re.findall(r"^\| `([a-z0-9]+\.[A-Za-z0-9-]+)` \|", section, re.MULTILINE))
    assert listed == set(DIFFERENCES)
