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

import cfmock
from cfmock._runtime import engine
from cfmock._runtime.engine import run

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
DOC = Path(__file__).resolve().parent.parent / "docs" / "runtime.md"
SECTION = "## Differences from njs"
SURFACE_SECTION = "### Built-ins"

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
    ("buffer.from-binary", "Buffer.from('abc', 'binary')"),
    ("buffer.from-ascii", "Buffer.from('abc', 'ascii')"),
    ("buffer.encoding-case", "Buffer.from('abc', 'UTF8')"),
    ("buffer.encoding-not-string", "Buffer.from('abc').toString(1)"),
    ("buffer.alloc-hex-fill", "Buffer.alloc(4, 'ab01', 'hex')"),
    ("buffer.fill-utf8-cut", "Buffer.alloc(5).fill('\u00e9')"),
    ("buffer.fill-range", "Buffer.alloc(6).fill('ab', 1, 4)"),
    ("buffer.fill-encoding", "Buffer.alloc(4).fill('ab01', 'hex')"),
    ("buffer.fill-number", "Buffer.alloc(2).fill(300)"),
    ("buffer.fill-buffer", "Buffer.alloc(4).fill(Buffer.from([1, 2, 3]))"),
    ("buffer.search-forms", "[Buffer.from('hello').indexOf('l', 3), Buffer.from('hello').lastIndexOf('l', 2), Buffer.from('hello').indexOf(108), Buffer.from('hello').indexOf(Buffer.from('lo')), Buffer.from('hello').includes('6c6c', 'hex')]"),
    ("buffer.from-string-object", "Buffer.from(new String('hi')).toString()"),
    ("buffer.from-object", "Buffer.from({})"),
    ("buffer.from-number", "Buffer.from(5)"),
    ("buffer.from-arraybuffer-shares", "(function () { var ab = new ArrayBuffer(4); var b = Buffer.from(ab, 1, 2); b[0] = 9; return [b.length, new Uint8Array(ab)[1]]; })()"),
    ("buffer.from-buffer-copies", "(function () { var a = Buffer.from('abc'); var b = Buffer.from(a); b[0] = 0x7a; return a.toString(); })()"),
    ("buffer.compare-ranges", "[Buffer.from('a').compare(Buffer.from('b')), Buffer.from('abc').compare(Buffer.from('xbc'), 1, 3, 1, 3)]"),
    ("buffer.write", "(function () { var b = Buffer.alloc(3); return [b.write('hello'), b.toString()]; })()"),
    ("buffer.write-range", "(function () { var b = Buffer.alloc(4); return [b.write('abcd', 1, 2), b.toString('hex')]; })()"),
    ("buffer.write-short", "Buffer.alloc(4).write('a')"),
    ("buffer.writeUInt8-wraps", "(function () { var b = Buffer.alloc(2); return [b.writeUInt8(300, 0), b.toString('hex')]; })()"),
    ("buffer.writeFloatBE", "(function () { var b = Buffer.alloc(4); return [b.writeFloatBE(1.5, 0), b.toString('hex')]; })()"),
    ("buffer.writeIntBE", "(function () { var b = Buffer.alloc(6); return [b.writeIntBE(-2, 0, 6), b.toString('hex'), b.readIntBE(0, 6), b.readUIntLE(0, 3)]; })()"),
    ("buffer.read-out-of-range", "Buffer.alloc(2).readUInt16BE(1)"),
    ("buffer.byteLength-7", "Buffer.alloc(8).readIntBE(0, 7)"),
    ("buffer.swap16-odd", "Buffer.alloc(3).swap16()"),
    ("buffer.swap32-bad", "Buffer.alloc(6).swap32()"),
    ("buffer.swap64-bad", "Buffer.alloc(4).swap64()"),
    ("buffer.swap64", "Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]).swap64()"),
    ("buffer.equals-string", "Buffer.from('a').equals('a')"),
    ("buffer.concat-total", "Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 3).toString()"),
    ("buffer.byteLength-forms", "[Buffer.byteLength('aGk=', 'base64'), Buffer.byteLength(new Uint16Array(2))]"),
    ("buffer.utf8-cut", "Buffer.from([0xe2, 0x82]).toString('utf8')"),
    # -- TextEncoder / TextDecoder -----------------------------------------------------------
    ("text.encode", "new TextEncoder().encode('h€')"),
    ("text.encode-empty", "new TextEncoder().encode('').length"),
    ("text.encoding", "[new TextEncoder().encoding, new TextDecoder().encoding]"),
    ("text.decode", "new TextDecoder().decode(new Uint8Array([104, 0xe2, 0x82, 0xac]))"),
    ("text.round-trip", "new TextDecoder().decode(new TextEncoder().encode('héllo wörld €'))"),
    ("text.decode-invalid", "new TextDecoder().decode(new Uint8Array([0x61, 0xff]))"),
    ("text.decode-bom", "new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).length"),
    ("text.decode-fatal", "new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xff]))"),
    ("text.decoder-latin1", "new TextDecoder('latin1')"),
    ("text.decode-ignoreBOM", "new TextDecoder('utf-8', {ignoreBOM: true}).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).length"),
    ("text.decoder-defaults", "[new TextDecoder().fatal, new TextDecoder().ignoreBOM, new TextDecoder('utf8').encoding]"),
    ("text.encodeInto-multibyte", "(function () { var u = new Uint8Array(4); var r = new TextEncoder().encodeInto('a\u20ac', u); return [r.read, r.written, u[3]]; })()"),
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
    ("qs.maxKeys", "require('querystring').parse('a=1&b=2&c=3', null, null, {maxKeys: 2})"),
    ("qs.repeated", "require('querystring').parse('a=1&a=2&a=3')"),
    ("qs.invalid-utf8", "require('querystring').parse('a=%ff&b=%C3%A9')"),
    ("qs.empty-separators", "require('querystring').parse('a=1', '', '')"),
    ("qs.decode-option", "require('querystring').parse('a=b', null, null, {decodeURIComponent: function (s) { return s.toUpperCase(); }})"),
    ("qs.stringify-values", "require('querystring').stringify({a: null, b: undefined, c: {}, d: [1, null], e: NaN, f: true})"),
    ("qs.encode-option", "require('querystring').stringify({a: 'x y'}, null, null, {encodeURIComponent: function (s) { return '<' + s + '>'; }})"),
    ("qs.unescape-malformed", "require('querystring').unescape('%zz%')"),
    ("qs.escape-marks", "require('querystring').escape('\u00ff~*\\'()!')"),
    ("qs.empty-pieces", "require('querystring').parse('&&a&=b&')"),
    ("qs.aliases", "[require('querystring').decode('a=1&a=2'), require('querystring').encode({a: [1, 2]})]"),
    # -- atob / btoa -------------------------------------------------------------------------
    ("b64.btoa", "btoa('hello')"),
    ("b64.btoa-latin1", "btoa('\\u00ff\\u00fe')"),
    ("b64.atob", "atob('aGVsbG8=')"),
    ("b64.atob-unpadded", "atob('aGVsbG8')"),
    ("b64.btoa-wide", "btoa('\\u0100')"),
    ("b64.atob-bad", "atob('!!')"),
    ("b64.atob-one", "atob('Y')"),
    ("b64.atob-spaces", "atob(' Y Q = = ')"),
    ("b64.btoa-empty", "btoa('')"),
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
    ("crypto.upper-case", "require('crypto').createHash('SHA256')"),
    ("crypto.sha512", "require('crypto').createHmac('sha512', 'k')"),
    ("crypto.algorithm-number", "require('crypto').createHash(1)"),
    ("crypto.digest-latin1", "require('crypto').createHash('md5').update('abc').digest('latin1')"),
    ("crypto.digest-upper-case", "require('crypto').createHash('md5').digest('HEX')"),
    ("crypto.digest-null", "require('crypto').createHash('md5').digest(null)"),
    ("crypto.digest-twice", "(function () { var h = require('crypto').createHash('md5'); h.digest(); return h.digest(); })()"),
    ("crypto.update-after-digest", "(function () { var h = require('crypto').createHmac('md5', 'k'); h.digest('hex'); return h.update('a'); })()"),
    ("crypto.bad-encoding-keeps-hash", "(function () { var h = require('crypto').createHash('md5').update('a'); try { h.digest('latin1'); } catch (e) {} return h.digest('hex'); })()"),
    ("crypto.update-latin1", "require('crypto').createHash('md5').update('abc', 'latin1')"),
    ("crypto.update-hex", "require('crypto').createHash('md5').update('616263', 'hex').digest('hex')"),
    ("crypto.update-base64url", "require('crypto').createHash('md5').update('YWJj', 'base64url').digest('hex')"),
    ("crypto.update-typed-array", "require('crypto').createHash('md5').update(new Uint16Array([0x6261])).digest('hex')"),
    ("crypto.update-number", "require('crypto').createHash('md5').update(1)"),
    ("crypto.update-data-view", "require('crypto').createHash('md5').update(new DataView(new ArrayBuffer(2))).digest('hex')"),
    ("crypto.hmac-key-number", "require('crypto').createHmac('md5', 1)"),
    ("crypto.hmac-buffer-key", "require('crypto').createHmac('md5', Buffer.from('key')).update('data').digest('base64')"),
    ("crypto.copy", "(function () { var h = require('crypto').createHash('sha1').update('a'); var c = h.copy(); h.update('b'); return [h.digest('hex'), c.digest('hex')]; })()"),
    ("crypto.tag", "[String(require('crypto').createHash('md5')), String(require('crypto').createHmac('md5', 'k'))]"),
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
    ("regexp.runtime-flag-s", "new RegExp('a', 's').test('a')"),
    ("regexp.runtime-flag-u", "new RegExp('a', 'u').test('a')"),
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
    ("lang.function-string", "[String(function f(a) { return a; }), typeof Function.prototype.toString]"),
    ("lang.error-cause", "new Error('x', {cause: 1}).cause"),
    ("lang.error-stack", "(function () { try { null.x; } catch (e) { return [typeof e.stack, e.stack.split('\\n')[0]]; } })()"),
    ("lang.error-stack-unthrown", "typeof new Error('x').stack"),
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
    ("global.absent-2024", "[typeof Iterator, typeof Float16Array, typeof Object.groupBy, typeof Array.fromAsync, typeof [].with, typeof Promise.withResolvers, typeof Promise.try, typeof ''.isWellFormed, typeof ''.toWellFormed, typeof Error.captureStackTrace, typeof new ArrayBuffer(1).transfer, typeof Uint8Array.fromBase64, typeof new Uint8Array(1).toHex]"),
    ("global.iterator-helpers", "typeof [].values().map"),
    ("global.html-methods", "[typeof ''.bold, typeof ''.trimLeft, typeof ({}).__defineGetter__, typeof [].toLocaleString, typeof new Date(0).getYear]"),
    ("global.symbol-dispose", "typeof Symbol.dispose"),
    ("global.setTimeout", "typeof setTimeout"),
    ("global.process", "typeof process"),
    ("global.require-buffer", "typeof require('buffer').Buffer"),
    ("global.require-unknown", "require('nope')"),
    ("global.require-cloudfront", "require('cloudfront')"),
    ("global.require-fs", "typeof require('fs')"),
    ("global.crypto-keys", "Object.keys(require('crypto')).sort()"),
]
# fmt: on

# probe id -> why cfmock and njs 0.7.9 print (or, for syntax probes, report) different things.
# Mirrored, word for word, in the "Differences from njs" section of docs/runtime.md.
CHECKER_GAP = "checker gap: njs (0.7.9, and 0.8.2 by its sources) {}; cfmock's load-time check {}"

DIFFERENCES: dict[str, str] = {
    "array.from": "njs 0.7.9 has no `Array.from`; njs 0.8.0, the likely base of CloudFront's runtime, added it; QuickJS-ng has it",
    "array.toSorted": "njs 0.7.9 has no `toSorted`; njs 0.8.0, the likely base of CloudFront's runtime, added it; QuickJS-ng has it",
    "b64.atob-unpadded": "njs drops the last characters of an unpadded input (`'hel'`); cfmock keeps them, as browsers and Node do",
    "buffer.write-short": "njs's `write` without a length copies up to the end of the buffer whatever the string's size (it returns 4 for `'a'` into 4 bytes, the extra bytes read past the string; 0.8.2 too); cfmock writes and counts the string's bytes, as Node does",
    "crypto.copy": "njs 0.7.9 has no `hash.copy()`; njs 0.7.12 added it, and cfmock has it",
    "crypto.hmac-key-number": "njs 0.7.9's text names the type (`key argument \"number\" is not …`); njs 0.8.x's, and cfmock's, is `key is not a string or Buffer-like object`",
    "crypto.update-data-view": "njs 0.7.9 hashes a `DataView`; njs 0.8.x takes only strings and typed arrays, as cfmock does (`TypeError: data is not a string or Buffer-like object`)",
    "crypto.update-number": "njs 0.7.9's text names the type (`data argument \"number\" is not …`); njs 0.8.x's, and cfmock's, is `data is not a string or Buffer-like object`",
    "date.parse-offset": "njs 0.7.9's `Date.parse` gives `NaN` for an ISO date-time with a numeric offset (`+01:00`); QuickJS-ng parses it as ECMAScript says",
    "global.process": "the njs command line has `process`; CloudFront documents that functions have none, and cfmock has none",
    "global.require-buffer": "njs 0.7.9's `require('buffer').Buffer` is an object, not the `Buffer` function; cfmock's is the global `Buffer`",
    "global.require-fs": "the njs command line has an `fs` module; CloudFront documents none, and cfmock's `require('fs')` throws `Cannot find module \"fs\"`",
    "global.setTimeout": "the njs command line has timers; CloudFront documents `setTimeout` and the other timers as unsupported, and cfmock has none",
    "global.symbol-dispose": "njs has no `Symbol.dispose`; QuickJS-ng's `Symbol.dispose` and `Symbol.asyncDispose` cannot be deleted (not configurable), so the faithful profile keeps them",
    "lang.error-cause": "njs ignores the `cause` option; QuickJS-ng's constructor sets `cause`, and the faithful profile removes built-ins, not what a constructor sets",
    "lang.error-stack": "both give a thrown error a `stack` string, each in its own format (njs: the message, then `at main (:5)`; QuickJS-ng: frames of cfmock's wrapped code)",
    "lang.error-stack-unthrown": "njs adds `stack` to an error when it is thrown; QuickJS-ng's errors have it from construction",
    "number.shortest": "njs prints some doubles with a wrong last digit (`0.1 + 0.2` as `0.30000000000000007`; the value is the same, see `number.String`); QuickJS-ng prints the shortest text that reads back",
    "object.keys": "njs 0.7.9 lists integer-like keys in insertion order; ECMAScript and QuickJS-ng list them first, in ascending order",
    "string.case": "njs maps case one character to one (`'ß'.toUpperCase()` is `'ß'`); QuickJS-ng applies Unicode's special casing (`'SS'`)",
    "string.charCodeAt-astral": "njs strings are code points, so `charCodeAt(0)` of an emoji is 128512; cfmock keeps JavaScript's UTF-16 code units, 55357, on purpose",
    "string.length-astral": "njs strings are code points, so an emoji's `length` is 1; cfmock keeps JavaScript's UTF-16 lengths, 2, on purpose",
    "string.replaceAll": "njs 0.7.9 has no `replaceAll`; njs 0.7.10 added it, and CloudFront documents it as new in runtime 2.0; QuickJS-ng has it",
    # -- syntax probes: njs 0.7.9 against njs 0.8.x -------------------------------------------
    "syntax.await-arg-in-block": "njs 0.7.9 misses `await` in arguments inside a nested block (njs issue 619, fixed in 0.7.11); cfmock refuses it, as njs 0.8.x does",
    "syntax.for-in-call": 'njs 0.7.9 accepts this malformed `for` (a bug of 0.7.9, fixed in 0.8.0); cfmock reports `Unexpected token "in"`, as njs 0.8.x does',
    "syntax.import-fs": 'the njs command line has an `fs` module; CloudFront documents none, and cfmock refuses the import (`Cannot find module "fs"`)',
    "syntax.import-semicolon": 'njs 0.7.9 reports `Non-default import is not supported`; njs 0.8.0 and cfmock report the token, `Unexpected token ";"`',
    # -- syntax probes: where cfmock's load-time check (cfmock/_runtime/syntax.py) disagrees --
    "syntax.for-in-initializer": CHECKER_GAP.format(
        "says `Invalid left-hand side in for-loop`", 'says `Unexpected token "in"`'
    ),
    "syntax.label-function": CHECKER_GAP.format(
        "refuses a labelled function declaration (`In strict mode code, functions can only be declared at top level or inside a block.`, without a line)",
        "accepts it, and QuickJS-ng refuses it at run time with its own text",
    ),
    "syntax.non-ascii-identifier": CHECKER_GAP.format(
        "reads identifiers in ASCII only (`Unexpected token` naming a byte of `é`)",
        "accepts non-ASCII identifiers",
    ),
}

# -- Syntax: what cfmock's load-time check reports against what njs compiles ---------------------
# (id, code). cfmock.check_code(code) under the default faithful profile gives the first refused
# construct's text, `` in <line>``; njs compiles ``throw 0; `` + code (the prefix keeps the lines
# and stops the code running) and prints its compile error, or the thrown 0. Every row of the
# spec's §2 table has probes here; the "yes" rows must compile in both.
# fmt: off
SYNTAX: list[tuple[str, str]] = [
    # ES6+ constructs CloudFront lists as supported
    ("syntax.let-const", "let a = 1; const b = 2;"),
    ("syntax.arrow", "var f = (a, b) => a + b; var g = x => { return x; };"),
    ("syntax.rest-function", "function f(a, ...r) { return r; }"),
    ("syntax.rest-arrow", "var f = (...r) => r;"),
    ("syntax.template-multiline", "var s = `a\nb ${1 + `in${2}ner`} c`;"),
    ("syntax.exponent", "var x = 2 ** 3; x **= 2;"),
    ("syntax.numeric-separator", "var n = 1_000_000;"),
    ("syntax.label", "outer: for (var i = 0; i < 2; i++) { continue outer; }"),
    ("syntax.for-in", "for (var k in {a: 1}) {}"),
    ("syntax.for-in-let", "for (let k in {a: 1}) {}"),
    ("syntax.for-in-member", "var o = {}, a = {}; for (a.b in o) {}"),
    ("syntax.for-in-parenthesized", "var x; for ((x) in {}) {}"),
    ("syntax.for-classic", "for (var i = 0, j = 1; i < 1; i++) {}"),
    ("syntax.do-while", "do { } while (false);"),
    ("syntax.switch", "switch (1) { case 1: break; default: }"),
    ("syntax.unicode-escape-string", "var s = '\\u0041\\x41';"),
    ("syntax.string-line-continuation", "var s = 'a\\\nb';"),
    ("syntax.number-forms", "var a = .5, b = 1e-7, c = 0x1F, d = 5.;"),
    # async and await
    ("syntax.async-function", "async function f() { await 1; }"),
    ("syntax.await-kvs", "async function f(kvs) { var v = await kvs.get('k'); return v; }"),
    ("syntax.await-arg", "async function f(g, x) { g(await x); }"),
    ("syntax.await-arg-json", "async function f(kvs) { return JSON.parse(await kvs.get('k')); }"),
    ("syntax.await-arg-concat", "async function f(p) { console.log('a' + await p); }"),
    ("syntax.await-arg-array", "async function f(g, x) { g([await x]); }"),
    ("syntax.await-arg-object", "async function f(g, x) { g({a: await x}); }"),
    ("syntax.await-arg-nested", "async function f(g, h, x) { g(h(await x)); }"),
    ("syntax.await-arg-method", "async function f(o, x) { o.m(1, await x); }"),
    ("syntax.await-arg-method-chain", "async function f(o, x) { o.a(1).b(await x); }"),
    ("syntax.await-arg-new", "async function f(F, x) { new F(await x); }"),
    ("syntax.await-arg-template", "async function f(g, x) { g(`${await x}`); }"),
    ("syntax.await-arg-conditional", "async function f(g, c, x) { g(c ? await x : 1); }"),
    ("syntax.await-arg-line", "async function f(g, x) {\n  var a = 1;\n  g(a,\n    await x);\n}"),
    ("syntax.await-arg-in-block", "async function f(g, x) { if (x) { g(await x); } }"),
    ("syntax.await-arg-before-inner-call", "async function f(g, h, x) { g(await x, h(1)); }"),
    ("syntax.await-arg-after-empty-call", "async function f(g, h, x) { g(h(), await x); }"),
    ("syntax.await-arg-after-function", "async function f(g, x) { g(function () {}, await x); }"),
    ("syntax.await-arg-after-paren", "async function f(g, x) { g((1), await x); }"),
    ("syntax.await-arg-after-inner-call", "async function f(g, h, x) { g(h(1), await x); }"),
    ("syntax.await-arg-after-inner-call-same-arg", "async function f(g, h, x) { g(h(1) + await x); }"),
    ("syntax.await-arg-after-inner-new", "async function f(g, F, x) { g(new F(1), await x); }"),
    ("syntax.await-arg-template-call", "async function f(g, h, x) { g(`${h(1)}`, await x); }"),
    ("syntax.await-arg-after-inner-call-then-call", "async function f(g, h, k, x) { g(h(1), k(await x)); }"),
    ("syntax.await-arg-after-inner-call-array", "async function f(g, h, x) { g(h(1), [await x]); }"),
    ("syntax.await-arg-after-inner-call-in-block", "async function f(g, h, x) { if (x) { g(h(1), await x); } }"),
    ("syntax.await-arg-after-empty-new", "async function f(g, F, x) { g(new F(), await x); }"),
    ("syntax.await-arg-after-bare-new", "async function f(g, F, x) { g(new F, await x); }"),
    ("syntax.await-arg-async-arrow-body", "async function f(g, x) { var h = async () => g(await x); }"),
    ("syntax.await-arg-inner-async-argument", "function g(h) {} async function f(x) { g(async function () { g(1, await x); }); }"),
    ("syntax.await-assign", "async function f(x) { var a; a = await x; }"),
    ("syntax.await-return", "async function f(x) { return await x; }"),
    ("syntax.await-operand", "async function f(x) { return 1 + await x; }"),
    ("syntax.await-condition", "async function f(x) { if (await x) {} while (await x) {} }"),
    ("syntax.await-member", "async function f(a, k) { return a[await k]; }"),
    ("syntax.await-literals", "async function f(x) { var a = [await x]; var o = {k: await x}; }"),
    ("syntax.await-template", "async function f(x) { return `${await x}`; }"),
    ("syntax.await-after-call", "async function f(g, x) { g(1); await x; }"),
    ("syntax.await-in-async-argument", "function g(h) {} async function f(x) { g(async function () { await x; }); g(async () => await x); }"),
    ("syntax.await-block-in-async-argument", "function g(h) {} async function f(x) { g(async () => { if (x) { await x; } }); }"),
    ("syntax.await-top-level", "await 1;"),
    ("syntax.await-non-async", "function f(x) { await x; }"),
    ("syntax.await-non-async-nested", "async function f() { function g(x) { await x; } }"),
    ("syntax.await-plain-arrow-argument", "function g(h) {} async function f(x) { g(() => await x); }"),
    ("syntax.await-tagged-template", "function tag(s) {} async function f(x) { tag`a${await x}`; }"),
    ("syntax.async-arrow", "var f = async (x) => { await x; }; var g = async x => x;"),
    ("syntax.async-function-expression", "var f = async function (x) { await x; };"),
    ("syntax.async-function-argument", "function g(h) {} g(async function () {});"),
    ("syntax.async-method", "var o = { async m(x) { await x; } };"),
    ("syntax.async-identifier", "var async = 1; async = 2;"),
    # for-of, for-await, catch
    ("syntax.for-of", "for (var x of []) {}"),
    ("syntax.for-of-const", "for (const x of []) {}"),
    ("syntax.for-of-let", "for (let x of []) {}"),
    ("syntax.for-await", "async function f(y) { for await (var x of y) {} }"),
    ("syntax.catch-no-binding", "try {} catch {}"),
    ("syntax.catch-binding", "try {} catch (e) {}"),
    # destructuring, spread, rest, defaults
    ("syntax.destructure-const-array", "const [a, b] = [1, 2];"),
    ("syntax.destructure-const-object", "const {clientIp} = {};"),
    ("syntax.destructure-let-array", "let [x] = [1];"),
    ("syntax.destructure-var-object", "var {a, b} = {};"),
    ("syntax.destructure-hole", "var [, b] = [1, 2];"),
    ("syntax.destructure-rest-array", "var [...r] = [1];"),
    ("syntax.destructure-rest-object", "var {...r} = {};"),
    ("syntax.destructure-param-object", "function f({a}) {}"),
    ("syntax.destructure-param-array", "function f([a]) {}"),
    ("syntax.destructure-param-arrow", "var f = ({a}) => a;"),
    ("syntax.destructure-catch", "try {} catch ({message}) {}"),
    ("syntax.destructure-assign", "var a = 1, b = 2; [a, b] = [b, a];"),
    ("syntax.destructure-assign-object", "var a; ({a} = {a: 1});"),
    ("syntax.for-in-array-pattern", "for (var [a] in {}) {}"),
    ("syntax.spread-call", "var a = []; Math.max(...a);"),
    ("syntax.spread-new", "var a = []; new Date(...a);"),
    ("syntax.spread-array", "var a = []; var b = [...a];"),
    ("syntax.spread-in-template", "var a = []; var s = `${[...a]}`;"),
    ("syntax.spread-object", "var o = {}; var p = {...o};"),
    ("syntax.default-param", "function f(a = 1) {}"),
    ("syntax.default-param-arrow", "var f = (a = 1) => a;"),
    # class, generators
    ("syntax.class", "class A {}"),
    ("syntax.class-expression", "var A = class {};"),
    ("syntax.class-fields", "class A { x = 1; static y = 2; }"),
    ("syntax.generator", "function* g() {}"),
    ("syntax.generator-expression", "var g = function* () {};"),
    ("syntax.async-generator", "async function* g() {}"),
    # optional chaining, nullish coalescing, logical assignment, BigInt
    ("syntax.optional-member", "var a = {}; a?.b;"),
    ("syntax.optional-chain-dot", "var a = {}; a?.b.c;"),
    ("syntax.optional-index", "var a = []; a?.[0];"),
    ("syntax.optional-call", "var a = {}; a?.f();"),
    ("syntax.nullish", "var a = null ?? 1;"),
    ("syntax.or-assign", "var a; a ||= 1;"),
    ("syntax.and-assign", "var a; a &&= 1;"),
    ("syntax.nullish-assign", "var a; a ??= 1;"),
    ("syntax.bigint-literal", "var n = 10n;"),
    ("syntax.bigint-call", "function f(x) { return BigInt(x); }"),
    # regular expressions
    ("syntax.regex-flags-gimy", "var r = /a/gimy; r.sticky; r.flags;"),
    ("syntax.regex-named-group", "var r = /(?<y>\\d{4})/;"),
    ("syntax.regex-lookbehind", "var r = /(?<=\\$)\\d+/; var s = /(?<!a)b/;"),
    ("syntax.regex-class-slash", "var r = /[/]/g; var d = 4 / 2 / 1;"),
    ("syntax.regex-flag-s", "var r = /a/s;"),
    ("syntax.regex-flag-u", "var r = /a/gu;"),
    ("syntax.regex-flag-d", "var r = /a/d;"),
    ("syntax.regex-flag-v", "var r = /a/v;"),
    ("syntax.regex-constructor-s", "function f() { return new RegExp('a', 's'); }"),
    # object literals and other later additions
    ("syntax.getter-setter", "var o = { get x() { return 1; }, set x(v) {} };"),
    ("syntax.computed-key", "var k = 'a'; var o = { [k + 'b']: 1 };"),
    ("syntax.getter-computed", "var k = 'x'; var o = { get [k]() { return 1; } };"),
    ("syntax.async-computed", "var k = 'x'; var o = { async [k]() {} };"),
    ("syntax.method-shorthand", "var o = { m() { return 1; } };"),
    ("syntax.shorthand-property", "var a = 1; var o = { a };"),
    ("syntax.proto-key", "var o = { __proto__: null };"),
    ("syntax.tagged-template", "function tag(s) { return s; } tag`x${1}y`;"),
    ("syntax.trailing-commas", "var a = [1, 2,]; var o = {a: 1,}; function f(a, b,) {} f(1, 2,);"),
    ("syntax.arrow-trailing-comma", "var f = (a, b,) => a;"),
    ("syntax.binary-octal", "var a = 0b101, b = 0o17, c = 0B1, d = 0O7;"),
    ("syntax.code-point-escape", "var s = '\\u{1F600}';"),
    ("syntax.keyword-names", "var get = 1, set = 2, of = 3, from = 4, let_ = 5;"),
    ("syntax.yield-identifier", "var yield = 1;"),
    # legacy, strict mode, removed
    ("syntax.legacy-octal", "var n = 010;"),
    ("syntax.legacy-octal-escape", "var s = '\\01';"),
    ("syntax.octal-escape-8", "var s = '\\8';"),
    ("syntax.with", "var o = {}; with (o) {}"),
    ("syntax.new-target", "function F() { return new.target; }"),
    ("syntax.dynamic-import", "function f() { return import('crypto'); }"),
    ("syntax.eval-assign", "eval = 1;"),
    ("syntax.arguments-assign", "function f() { arguments = 1; }"),
    ("syntax.duplicate-params", "function f(a, a) {}"),
    ("syntax.delete-identifier", "var x = 1; delete x;"),
    ("syntax.let-identifier", "var let = 1;"),
    ("syntax.html-comment", "var a = 1; <!-- x\nvar b = 2;"),
    ("syntax.return-before-brace", "function f() { return }"),
    ("syntax.return-invalid", "function f() { return ) }"),
    ("syntax.top-level-return", "return 1;"),
    ("syntax.super-outside", "function f() { return super.x; }"),
    ("syntax.unary-exponent", "var a = -2 ** 2;"),
    ("syntax.for-in-initializer", "for (var i = 0 in {}; false;) {}"),
    ("syntax.for-in-call", "for (a(b * in d) ;"),
    ("syntax.label-function", "l: function f() {}"),
    ("syntax.if-function", "if (true) function f() {}"),
    ("syntax.non-ascii-identifier", "var é = 1; var ü_2 = é;"),
    ("syntax.unicode-escape-identifier", "var \\u0062 = 1;"),
    # modules
    ("syntax.import-cloudfront", "import cf from 'cloudfront';"),
    ("syntax.import-double-quotes", 'import cf from "cloudfront";'),
    ("syntax.import-after-code", "var a = 1;\nimport cf from 'cloudfront'; var b = cf;"),
    ("syntax.import-last", "function connectionHandler(c) { cf.kvs(); }\nimport cf from 'cloudfront';"),
    ("syntax.import-named", "import { kvs } from 'cloudfront';"),
    ("syntax.import-namespace", "import * as cf from 'cloudfront';"),
    ("syntax.import-bare", "import 'cloudfront';"),
    ("syntax.import-default-and-named", "import cf, { kvs } from 'cloudfront';"),
    ("syntax.import-keyword-binding", "import switch from 'cloudfront';"),
    ("syntax.import-semicolon", "import;"),
    ("syntax.import-in-function", "function f() { import cf from 'cloudfront'; }"),
    ("syntax.export", "export default 1;"),
    ("syntax.export-function", "export function f() {}"),
    ("syntax.import-crypto", "import crypto from 'crypto';"),
    ("syntax.import-querystring", "import qs from 'querystring';"),
    ("syntax.import-buffer", "import b from 'buffer';"),
    ("syntax.import-unknown", "var a = 1;\nimport x from 'nope';"),
    ("syntax.import-fs", "import fs from 'fs';"),
    # the first problem wins; its line counts in the code as written
    ("syntax.first-error", "var a = 1;\nvar b = 2;\nclass A {}\nfor (var x of []) {}"),
    ("syntax.first-error-same-line", "var f = (a = 1) => a; class A {}"),
    ("syntax.error-after-comments", "// class A {}\n/* for (x of y) */\nvar s = 'class';\nvar o = {...p};"),
    ("syntax.error-in-template", "var s = `\n\n${a?.b}`;"),
    ("syntax.crlf-lines", "var a = 1;\r\nvar b = 2;\r\nclass A {}"),
    ("syntax.cr-lines", "var a = 1;\rclass A {}"),
    ("syntax.line-separator", "var a = 1;\u2028class A {}"),
]
# fmt: on

# -- The built-in surface: own property names, compared owner by owner ----------------------------
# One line per owner, ``owner<TAB>names``: the own property names (symbols as ``@@name``), sorted.
# A name one engine has and the other lacks must be listed in SURFACE_DIFFERENCES, so a
# QuickJS-ng upgrade that adds a built-in fails here until absent.json removes it (or it is
# listed, with its reason).
SURFACE_OWNERS: dict[str, str] = {
    "global": "globalThis",
    **{
        name: name
        for constructor in ["Object", "Function", "Array", "String", "Number", "Boolean", "Symbol",
                            "Date", "RegExp", "Promise", "ArrayBuffer", "DataView", "Int8Array",
                            "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
                            "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "Error",
                            "EvalError", "InternalError", "RangeError", "ReferenceError",
                            "SyntaxError", "TypeError", "URIError", "AggregateError",
                            "TextEncoder", "TextDecoder", "Buffer"]
        for name in (constructor, constructor + ".prototype")
    },
    "Math": "Math",
    "JSON": "JSON",
    "console": "console",
    "%TypedArray%": "Object.getPrototypeOf(Uint8Array)",
    "%TypedArray%.prototype": "Object.getPrototypeOf(Uint8Array).prototype",
    "%IteratorPrototype%": "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))",
    "%ArrayIteratorPrototype%": "Object.getPrototypeOf([][Symbol.iterator]())",
    "%StringIteratorPrototype%": "Object.getPrototypeOf(''[Symbol.iterator]())",
    "%AsyncFunction.prototype%": "Object.getPrototypeOf(async function () {})",
    "function": "function () {}",
    "arrow": "() => 1",
    "array": "[]",
    "regexp": "/a/g",
    "error": "new Error('x')",
    "thrown-error": "(function () { try { null.x; } catch (e) { return e; } })()",
    "string-object": "new String('ab')",
}  # fmt: skip
"""owner -> the JavaScript expression of the object whose own property names are compared."""

SURFACE_SCRIPT = (
    "function connectionHandler(connection) {\n  var owners = [\n"
    + ",\n".join(
        f"    [{owner!r}, function () {{ return {expression}; }}]"
        for owner, expression in SURFACE_OWNERS.items()
    )
    + r"""
  ];
  for (var k = 0; k < owners.length; k++) {
    var owner = owners[k][1]();
    var names = Object.getOwnPropertyNames(owner).filter(function (n) { return n !== 'connectionHandler'; });
    var symbols = Object.getOwnPropertySymbols(owner);
    for (var s = 0; s < symbols.length; s++) {
      names.push('@@' + String(symbols[s].description).replace(/^Symbol\./, ''));
    }
    console.log(owners[k][0] + '\t' + names.sort().join(' '));
  }
}
"""
)

NJS_CLI = "the njs command line has it; CloudFront does not document it, and cfmock has none"
NJS_079 = "njs 0.7.9 has it; njs 0.8.0 removed it, as CloudFront's runtime 2.0 did"
NJS_080 = "njs 0.8.0 added it (CloudFront's runtime is most likely 0.8.0 to 0.8.2); cfmock keeps it"
NJS_OWN_PROTO = "njs gives this prototype its own `__proto__` accessor; elsewhere `__proto__` is inherited, with the same effect"
ENGINE_SYMBOL = "a symbol-keyed method of QuickJS-ng's engine that its own built-ins go through; njs lacks it, and absent.json (names only) does not remove it"
NJS_TAG = "njs's `Symbol.toStringTag`; QuickJS-ng's object has none"

# (owner, name) -> why one engine has the name and the other does not. Mirrored in the
# "Differences from njs" section of docs/runtime.md.
SURFACE_DIFFERENCES: dict[tuple[str, str], str] = {
    ("global", "$262"): "njs's test-suite object; cfmock has none",
    (
        "global",
        "MemoryError",
    ): "njs's out-of-memory error type; CloudFront does not document it, and cfmock has none",
    (
        "global",
        "clearTimeout",
    ): "njs has timers; CloudFront documents them as unsupported, and cfmock has none",
    (
        "global",
        "crypto",
    ): "the njs command line's WebCrypto object; CloudFront lists no global `crypto`, and cfmock has none",
    ("global", "global"): NJS_CLI,
    ("global", "njs"): NJS_CLI,
    ("global", "print"): NJS_CLI,
    (
        "global",
        "process",
    ): "the njs command line has `process`; CloudFront documents that functions have none, and cfmock has none",
    (
        "global",
        "setImmediate",
    ): "njs has timers; CloudFront documents them as unsupported, and cfmock has none",
    (
        "global",
        "setTimeout",
    ): "njs has timers; CloudFront documents them as unsupported, and cfmock has none",
    (
        "global",
        "toString",
    ): "njs's global object has its own `toString`; cfmock's inherits `Object.prototype.toString`",
    ("Array", "from"): NJS_080,
    ("Array", "@@species"): ENGINE_SYMBOL,
    ("Array.prototype", "toReversed"): NJS_080,
    ("Array.prototype", "toSorted"): NJS_080,
    ("Array.prototype", "toSpliced"): NJS_080,
    ("Array.prototype", "@@unscopables"): ENGINE_SYMBOL,
    ("%TypedArray%.prototype", "toReversed"): NJS_080,
    ("%TypedArray%.prototype", "toSorted"): NJS_080,
    ("String", "bytesFrom"): NJS_079,
    ("String.prototype", "fromBytes"): NJS_079,
    ("String.prototype", "fromUTF8"): NJS_079,
    ("String.prototype", "toBytes"): NJS_079,
    ("String.prototype", "toUTF8"): NJS_079,
    (
        "String.prototype",
        "replaceAll",
    ): "njs 0.7.10 added it, and CloudFront documents it as new in runtime 2.0; cfmock keeps it",
    ("String.prototype", "__proto__"): NJS_OWN_PROTO,
    ("Number.prototype", "__proto__"): NJS_OWN_PROTO,
    ("Boolean.prototype", "__proto__"): NJS_OWN_PROTO,
    ("Symbol.prototype", "__proto__"): NJS_OWN_PROTO,
    ("Date.prototype", "__proto__"): NJS_OWN_PROTO,
    ("Math", "prototype"): "njs 0.7.9's `Math` has a `prototype`; njs 0.8.0 removed it",
    (
        "Symbol",
        "asyncDispose",
    ): "QuickJS-ng's well-known symbol is not configurable, so the faithful profile cannot delete it; njs has none",
    (
        "Symbol",
        "dispose",
    ): "QuickJS-ng's well-known symbol is not configurable, so the faithful profile cannot delete it; njs has none",
    ("Symbol.prototype", "@@toPrimitive"): ENGINE_SYMBOL,
    ("Date.prototype", "@@toPrimitive"): ENGINE_SYMBOL,
    ("Function.prototype", "@@hasInstance"): ENGINE_SYMBOL,
    ("RegExp.prototype", "@@match"): ENGINE_SYMBOL,
    ("RegExp.prototype", "@@matchAll"): ENGINE_SYMBOL,
    ("RegExp.prototype", "@@search"): ENGINE_SYMBOL,
    ("%IteratorPrototype%", "@@dispose"): ENGINE_SYMBOL,
    ("%IteratorPrototype%", "@@toStringTag"): ENGINE_SYMBOL,
    (
        "Error.prototype",
        "stack",
    ): "QuickJS-ng's `stack` accessor; njs gives a thrown error its own `stack` (see `thrown-error`)",
    (
        "Error.prototype",
        "valueOf",
    ): "njs's own `valueOf`; cfmock's errors inherit `Object.prototype.valueOf`, with the same result",
    (
        "thrown-error",
        "stack",
    ): "njs adds `stack` to a thrown error; cfmock's errors inherit it from `Error.prototype`",
    (
        "InternalError.prototype",
        "constructor",
    ): "QuickJS-ng's `InternalError.prototype` has its own `constructor`; njs's inherits one",
    (
        "InternalError.prototype",
        "toString",
    ): "njs's own `toString`; cfmock's inherits `Error.prototype.toString`, with the same result",
    ("console", "dump"): "the njs command line's console; CloudFront's has only `log`, as cfmock's",
    ("console", "time"): "the njs command line's console; CloudFront's has only `log`, as cfmock's",
    (
        "console",
        "timeEnd",
    ): "the njs command line's console; CloudFront's has only `log`, as cfmock's",
    ("console", "@@toStringTag"): NJS_TAG,
    (
        "Buffer",
        "allocUnsafeSlow",
    ): "njs has it; CloudFront's list of 58 Buffer functions does not, and cfmock has none",
    (
        "Buffer",
        "@@species",
    ): "cfmock's `Buffer` builds the results of inherited `Uint8Array` methods through `Symbol.species`",
    (
        "Buffer.prototype",
        "length",
    ): "njs's own `length` accessor; cfmock's buffers inherit `length` from `Uint8Array`, with the same value",
    ("Buffer.prototype", "@@toStringTag"): NJS_TAG,
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


def cfmock_logs(code: str) -> tuple[str, ...]:
    """The logs of *code*'s ``connectionHandler`` under cfmock's default (faithful) profile."""
    saved = engine.TIME_LIMIT
    # A crowded machine must not fail a group by the clock.
    engine.TIME_LIMIT = 30.0
    try:
        result = run(code.encode(), {}, None, NOW)
    finally:
        engine.TIME_LIMIT = saved
    assert result.profile == "faithful"
    assert result.error == "", result.error
    return result.logs


def njs_lines(code: str) -> list[str]:
    """What njs prints for *code* followed by a call of its ``connectionHandler``."""
    done = subprocess.run(
        ["njs", "-q", "-"],
        input=(code + "connectionHandler({});\n").encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().splitlines()


@functools.cache
def through_cfmock(group: str) -> dict[str, str]:
    return parse(cfmock_logs(script(group)))


@functools.cache
def through_njs(group: str) -> dict[str, str]:
    return parse(njs_lines(script(group)))


def test_probe_ids_are_unique_and_grouped() -> None:
    ids = [probe_id for probe_id, _ in PROBES + SYNTAX]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+\.[A-Za-z0-9-]+", i) for i in ids)
    assert all(group_of(probe_id) == "syntax" for probe_id, _ in SYNTAX)
    assert "syntax" not in {group_of(probe_id) for probe_id, _ in PROBES}
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


# -- Syntax ---------------------------------------------------------------------------------------

# A compile error as njs prints it: `SyntaxError: <text> in <line>` (a few texts have no line).
NJS_ERROR = re.compile(r"[A-Za-z]*Error: .*")


@pytest.fixture(scope="module")
def njs_modules(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A module folder for njs's ``-p``: ``cloudfront`` (the file name is the module name)
    default-exports an object, as CloudFront's module does."""
    folder = tmp_path_factory.mktemp("njs-modules")
    (folder / "cloudfront").write_text("export default {kvs: function () {}};\n", encoding="utf-8")
    return str(folder)


def njs_compiles(code: str, modules: str) -> str:
    """njs's compile error for *code*, or ``""`` when it compiles. ``throw 0;`` on the first
    line keeps every line where it was and stops the compiled code before it does anything."""
    done = subprocess.run(
        ["njs", "-q", "-p", modules, "-"],
        input=("throw 0; " + code + "\n").encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).decode(errors="backslashreplace")
    lines = [line for line in output.splitlines() if line.strip()]
    if lines == ["Thrown:", "0"]:
        return ""
    errors = [line for line in lines if NJS_ERROR.fullmatch(line)]
    assert errors, f"njs printed neither a compile error nor the thrown 0: {output!r}"
    return errors[0]


def cfmock_checks(code: str) -> str:
    problems = cfmock.check_code(code)
    return problems[0].message if problems else ""


@pytest.mark.parametrize(("probe_id", "code"), SYNTAX, ids=[p for p, _ in SYNTAX])
def test_cfmock_refuses_what_njs_refuses(probe_id: str, code: str, njs_modules: str) -> None:
    require_njs()
    ours = cfmock_checks(code)
    theirs = njs_compiles(code, njs_modules)
    if probe_id in DIFFERENCES:
        assert ours != theirs, (
            f"{probe_id} is listed as a difference ({DIFFERENCES[probe_id]}) but both report "
            f"{ours!r}: remove it from DIFFERENCES and docs/runtime.md"
        )
    else:
        assert ours == theirs, (
            f"{code!r}\n  cfmock: {ours or 'compiles'}\n  njs:    {theirs or 'compiles'}"
        )


def test_the_check_is_what_a_faithful_run_reports() -> None:
    """The syntax probes' texts are what a run under the faithful profile answers."""
    for probe_id, code in SYNTAX:
        message = cfmock_checks(code)
        if message:
            result = run(code.encode(), {}, None, NOW)
            assert (result.error, result.logs, result.action) == (message, (), "deny"), probe_id


# -- The built-in surface -------------------------------------------------------------------------


def surface(lines: list[str] | tuple[str, ...]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for line in lines:
        owner, _, names = line.partition("\t")
        owners[owner] = set(names.split())
    return owners


@functools.cache
def surfaces() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return surface(cfmock_logs(SURFACE_SCRIPT)), surface(njs_lines(SURFACE_SCRIPT))


@pytest.mark.parametrize("owner", SURFACE_OWNERS)
def test_the_built_ins_are_njs_s(owner: str) -> None:
    """The faithful profile's own property names of *owner* are njs's, but for the listed
    differences: a name QuickJS-ng adds fails here until absent.json removes it."""
    require_njs()
    ours, theirs = surfaces()
    assert owner in ours and owner in theirs, f"{owner} was not enumerated"
    differing = ours[owner] ^ theirs[owner]
    listed = {name for (where, name) in SURFACE_DIFFERENCES if where == owner}
    assert differing - listed == set(), (
        f"{owner}: cfmock alone has {sorted((differing - listed) & ours[owner])}, njs alone has "
        f"{sorted((differing - listed) & theirs[owner])}: remove them in absent.json or list them"
    )
    assert listed - differing == set(), (
        f"{owner}: no longer different: {sorted(listed - differing)}"
    )


def test_the_surface_differences_name_compared_owners() -> None:
    assert {owner for owner, _ in SURFACE_DIFFERENCES} <= set(SURFACE_OWNERS)


# -- The documentation ----------------------------------------------------------------------------


def doc_section() -> str:
    page = DOC.read_text(encoding="utf-8")
    assert SECTION in page
    return page.split(SECTION, 1)[1].split("\n## ", 1)[0]


def test_the_differences_table_is_in_the_docs() -> None:
    """docs/runtime.md lists the same differences, with the same reasons, in one table."""
    section = doc_section()
    for probe_id, reason in DIFFERENCES.items():
        assert f"| `{probe_id}` | {reason} |" in section, f"{probe_id} is not in {SECTION!r}"
    listed = set(re.findall(r"^\| `([a-z0-9]+\.[A-Za-z0-9-]+)` \|", section, re.MULTILINE))
    assert listed == set(DIFFERENCES)


def test_the_surface_table_is_in_the_docs() -> None:
    """docs/runtime.md lists the same built-in differences, with the same reasons."""
    section = doc_section().split(SURFACE_SECTION, 1)[1]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| (.*) \|$", section, re.MULTILINE)
    assert {(owner, name): reason for owner, name, reason in rows} == SURFACE_DIFFERENCES
