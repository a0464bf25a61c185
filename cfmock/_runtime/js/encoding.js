// cfmock: UTF-8, hex and base64 codecs, Buffer, TextEncoder, TextDecoder, atob and btoa for the
// cloudfront-js-2.0 emulation, after njs 0.8.2 (src/njs_buffer.c, src/njs_encoding.c,
// src/njs_string.c). Loaded by the prelude on first use, as an expression whose value is the
// module object.
(function () {
  "use strict";
  const fromCharCode = String.fromCharCode;
  const isView = ArrayBuffer.isView;
  const fillU8 = Uint8Array.prototype.fill;
  const REPLACEMENT = 0xfffd;

  // -- UTF-8, hex and base64 ------------------------------------------------------------------

  // Code units to text, in slices small enough for fromCharCode's argument list.
  function text(units) {
    let out = "";
    for (let i = 0; i < units.length; i += 8192) out += fromCharCode.apply(null, units.slice(i, i + 8192));
    return out;
  }

  function pushCodePoint(units, code) {
    if (code > 0xffff) units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 1023));
    else units.push(code);
  }

  function utf8Size(code) {
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }

  function pushUtf8(out, code) {
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }

  // The code point at index i of text, an unpaired surrogate read as U+FFFD (an njs string
  // cannot hold one).
  function codePointAt(value, i) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
    }
    return code >= 0xd800 && code <= 0xdfff ? REPLACEMENT : code;
  }

  function utf8Encode(value) {
    const out = [];
    for (let i = 0; i < value.length; i++) {
      const code = codePointAt(value, i);
      if (code > 0xffff) i++;
      pushUtf8(out, code);
    }
    return new Uint8Array(out);
  }

  // The WHATWG UTF-8 decoder: each maximal invalid subpart becomes one U+FFFD. Returns the text,
  // whether anything was invalid, and (when `stream`) the unfinished sequence at the end.
  function utf8DecodeState(bytes, stream) {
    const units = [];
    let needed = 0;
    let seen = 0;
    let code = 0;
    let lower = 0x80;
    let upper = 0xbf;
    let invalid = false;
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (needed === 0) {
        start = i;
        if (byte < 0x80) units.push(byte);
        else if (byte >= 0xc2 && byte <= 0xdf) {
          needed = 1;
          code = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) lower = 0xa0;
          if (byte === 0xed) upper = 0x9f;
          needed = 2;
          code = byte & 0xf;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) lower = 0x90;
          if (byte === 0xf4) upper = 0x8f;
          needed = 3;
          code = byte & 7;
        } else {
          units.push(REPLACEMENT);
          invalid = true;
        }
        continue;
      }
      if (byte < lower || byte > upper) {
        needed = seen = code = 0;
        lower = 0x80;
        upper = 0xbf;
        units.push(REPLACEMENT);
        invalid = true;
        i--;
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      code = (code << 6) | (byte & 63);
      if (++seen === needed) {
        pushCodePoint(units, code);
        needed = seen = code = 0;
      }
    }
    let pending = null;
    if (needed !== 0) {
      if (stream) pending = bytes.slice(start);
      else {
        units.push(REPLACEMENT);
        invalid = true;
      }
    }
    return { text: text(units), invalid, pending };
  }

  function utf8Decode(bytes) {
    return utf8DecodeState(bytes, false).text;
  }

  const HEX = "0123456789abcdef";
  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  function hexDigit(code) {
    if (code >= 48 && code <= 57) return code - 48;
    if (code >= 97 && code <= 102) return code - 87;
    if (code >= 65 && code <= 70) return code - 55;
    return -1;
  }

  // njs: the pairs before the first character that is not a hex digit.
  function hexDecode(value) {
    const out = [];
    for (let i = 0; i + 1 < value.length; i += 2) {
      const high = hexDigit(value.charCodeAt(i));
      const low = hexDigit(value.charCodeAt(i + 1));
      if (high < 0 || low < 0) break;
      out.push(high * 16 + low);
    }
    return new Uint8Array(out);
  }

  const HEX_BYTES = [];
  for (let byte = 0; byte < 256; byte++) HEX_BYTES.push(HEX[byte >> 4] + HEX[byte & 15]);

  function hexEncode(bytes) {
    const parts = new Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) parts[i] = HEX_BYTES[bytes[i]];
    return parts.join("");
  }

  // Each alphabet as a table from character code (below 128) to its six bits, -1 outside it.
  function digits(alphabet) {
    const table = new Int8Array(128).fill(-1);
    for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
    return table;
  }

  // njs: the characters before the first one outside the alphabet ("=" included), six bits each,
  // in whole bytes.
  function base64Decode(value, table) {
    const out = [];
    let bits = 0;
    let count = 0;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      const digit = code < 128 ? table[code] : -1;
      if (digit < 0) break;
      bits = ((bits << 6) | digit) & 0xffffff;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.push((bits >> count) & 0xff);
      }
    }
    return new Uint8Array(out);
  }

  const BASE64_DIGITS = digits(BASE64);
  const BASE64URL_DIGITS = digits(BASE64URL);

  function base64Encode(bytes, alphabet, padding) {
    const parts = [];
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      parts.push(alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63]);
    }
    let out = parts.join("");
    if (i + 1 === bytes.length) {
      const n = bytes[i] << 16;
      out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + (padding ? "==" : "");
    } else if (i + 2 === bytes.length) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + (padding ? "=" : "");
    }
    return out;
  }

  // -- Encoding names -------------------------------------------------------------------------

  // The five names njs and the RT20 page accept, exactly as written (case-sensitive).
  const ENCODINGS = { "utf-8": "utf8", utf8: "utf8", hex: "hex", base64: "base64", base64url: "base64url" };

  function encodingOf(name) {
    if (name === undefined) return "utf8";
    if (typeof name !== "string") throw new TypeError("encoding must be a string");
    if (Object.prototype.hasOwnProperty.call(ENCODINGS, name)) return ENCODINGS[name];
    throw new TypeError(`"${name}" encoding is not supported`);
  }

  function decodeString(value, encoding) {
    switch (encoding) {
      case "hex":
        return hexDecode(value);
      case "base64":
        return base64Decode(value, BASE64_DIGITS);
      case "base64url":
        return base64Decode(value, BASE64URL_DIGITS);
      default:
        return utf8Encode(value);
    }
  }

  function encodeBytes(bytes, encoding) {
    switch (encoding) {
      case "hex":
        return hexEncode(bytes);
      case "base64":
        return base64Encode(bytes, BASE64, true);
      case "base64url":
        return base64Encode(bytes, BASE64URL, false);
      default:
        return utf8Decode(bytes);
    }
  }

  // The bytes of a typed array or DataView, as a Uint8Array over the same memory.
  function bytesOf(view) {
    return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }

  // For the crypto module: a string's bytes in one of the five encodings, with njs's errors
  // (njs_buffer_encoding), and whether a value is a typed array (njs_value_is_buffer).
  function stringBytes(value, encoding) {
    return decodeString(value, encodingOf(encoding));
  }

  const isTypedArray = (value) => isView(value) && !(value instanceof DataView);

  // -- Argument helpers, as njs converts them -------------------------------------------------

  function toInteger(value) {
    const number = Number(value);
    return Number.isNaN(number) ? 0 : Math.trunc(number);
  }

  function toIndex(value) {
    if (value === undefined) return 0;
    const index = toInteger(value);
    if (index < 0 || index > Number.MAX_SAFE_INTEGER) throw new RangeError("invalid index");
    return index;
  }

  function typeName(value) {
    return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  }

  function slot(value, name) {
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`"${name}" argument must be an instance of Buffer or Uint8Array`);
  }

  function range(array, start, end, name) {
    const first = start === undefined ? 0 : toIndex(start);
    if (first > array.length) throw new RangeError(`"${name}Start" is out of range: ${first}`);
    let last = array.length;
    if (end !== undefined) last = toIndex(end);
    if (last > array.length) throw new RangeError(`"${name}End" is out of range: ${last}`);
    return array.subarray(first, Math.max(first, last));
  }

  // -1, 0 or 1 as source sorts before, with or after target (njs_buffer_compare_array).
  function compareBytes(sourceValue, targetValue, targetStart, targetEnd, sourceStart, sourceEnd) {
    const source = slot(sourceValue, "source");
    const target = slot(targetValue, "target");
    const t = range(target, targetStart, targetEnd, "target");
    const s = range(source, sourceStart, sourceEnd, "source");
    const size = Math.min(t.length, s.length);
    for (let i = 0; i < size; i++) {
      if (s[i] !== t[i]) return s[i] < t[i] ? -1 : 1;
    }
    return s.length < t.length ? -1 : s.length > t.length ? 1 : 0;
  }

  function checkSize(size) {
    if (typeof size !== "number") throw new TypeError('"size" argument must be of type number');
    if (size < 0 || size > 2147483647) throw new RangeError("invalid size");
  }

  // Fills bytes[offset, end) with value repeated whole (a string in `encoding`, a typed array's
  // bytes) or with one byte (anything else, as a number & 255).
  function fillBytes(bytes, value, encoding, offset, end) {
    if (offset > bytes.length) throw new RangeError('"offset" is out of range');
    if (end > bytes.length) throw new RangeError('"end" is out of range');
    if (offset >= end) return;
    let pattern;
    if (typeof value === "string") pattern = decodeString(value, encodingOf(encoding));
    else if (isView(value) && !(value instanceof DataView)) pattern = bytesOf(value).slice();
    else {
      fillU8.call(bytes, (Number(value) >>> 0) & 0xff, offset, end);
      return;
    }
    if (pattern.length === 0) {
      fillU8.call(bytes, 0, offset, end);
      return;
    }
    for (let at = offset; at < end; at += pattern.length) {
      bytes.set(pattern.subarray(0, Math.min(pattern.length, end - at)), at);
    }
  }

  // njs_buffer_prototype_index_of: the encoded bytes of a string, the bytes of a Uint8Array, or
  // one byte of a number.
  function search(buffer, args, last) {
    const array = slot(buffer, "this");
    const value = args[0];
    let from = last ? array.length - 1 : 0;
    const to = last ? -1 : array.length;
    let encoding = args[2];
    if (array.length === 0) return -1;
    if (args[1] !== undefined) {
      if (typeof value === "string" && typeof args[1] === "string") encoding = args[1];
      else {
        from = toInteger(args[1]);
        if (last) {
          from = from >= 0 ? Math.min(from, array.length - 1) : from + array.length;
          if (from <= to) return -1;
        } else {
          if (from < 0) from = Math.max(0, from + array.length);
          if (from >= to) return -1;
        }
      }
    }
    const name = encodingOf(encoding);
    let needle;
    if (typeof value === "string") needle = decodeString(value, name);
    else if (value instanceof Uint8Array) needle = value;
    else if (typeof value === "number") needle = [(value >>> 0) & 0xff];
    else throw new TypeError(`"value" argument ${typeName(value)} is not a string or Buffer-like object`);
    const size = needle.length;
    if (size === 0) return last ? array.length : 0;
    if (last) {
      if (from - to < size) return -1;
      from -= size - 1;
    } else if (to - from < size) return -1;
    const stop = last ? to : to - (size - 1);
    const step = last ? -1 : 1;
    for (let i = from; i !== stop; i += step) {
      let k = 0;
      while (k < size && array[i + k] === needle[k]) k++;
      if (k === size) return i;
    }
    return -1;
  }

  // readers and writers: offset + size must fit; a variable size is 1 to 6 bytes.
  function place(array, offset, size) {
    const index = toIndex(offset);
    if (size + index > array.length) throw new RangeError(`index ${index} is outside the bound of the buffer`);
    return index;
  }

  function variableSize(value) {
    if (typeof value !== "number") throw new TypeError('"byteLength" is not a number');
    const size = Math.trunc(value);
    if (size > 6 || size < 0 || Number.isNaN(size)) throw new TypeError('"byteLength" must be <= 6');
    return size;
  }

  function readInt(array, offset, size, signed, little) {
    const index = place(array, offset, size);
    let value = 0;
    for (let k = 0; k < size; k++) value = value * 256 + array[index + (little ? size - 1 - k : k)];
    if (signed && size > 0 && value >= 2 ** (8 * size - 1)) value -= 2 ** (8 * size);
    return value;
  }

  // njs 0.8.2: the low bytes of the integer, no range check; returns offset + size.
  function writeInt(array, args, size, little) {
    const value = toInteger(args[0]);
    const index = place(array, args.length > 1 ? args[1] : 0, size);
    for (let k = 0; k < size; k++) {
      const byte = ((Math.floor(value / 2 ** (8 * k)) % 256) + 256) % 256;
      array[index + (little ? k : size - 1 - k)] = byte;
    }
    return index + size;
  }

  function view(array) {
    return new DataView(array.buffer, array.byteOffset, array.byteLength);
  }

  // -- Buffer ---------------------------------------------------------------------------------

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      for (;;) {
        if (typeof value === "string") return wrap(decodeString(value, encodingOf(encodingOrOffset)));
        if (value instanceof ArrayBuffer) {
          const offset = toIndex(encodingOrOffset);
          if (offset > value.byteLength) throw new RangeError('"offset" is outside of buffer bounds');
          const size = length === undefined ? value.byteLength - offset : Math.max(0, toInteger(length));
          if (offset + size > value.byteLength) throw new RangeError('"length" is outside of buffer bounds');
          return new Buffer(value, offset, size);
        }
        if (isView(value) && !(value instanceof DataView)) return wrap(Uint8Array.from(value));
        if (value === null || (typeof value !== "object" && typeof value !== "function")) break;
        const primitive = value.valueOf();
        if (primitive !== null && primitive !== value) {
          value = primitive;
          continue;
        }
        const bytes = arrayLike(value);
        if (bytes !== null) return bytes;
        break;
      }
      throw new TypeError(`first argument ${typeName(value)} is not a string or Buffer-like object`);
    }

    static alloc(size, fill, encoding) {
      checkSize(size);
      const buffer = new Buffer(size);
      if (fill !== undefined) fillBytes(buffer, fill, encoding, 0, buffer.length);
      return buffer;
    }

    static allocUnsafe(size) {
      checkSize(size);
      return new Buffer(size);
    }

    static isBuffer(value) {
      return value instanceof Buffer;
    }

    static isEncoding(encoding) {
      if (encoding === undefined) return false;
      if (typeof encoding !== "string") throw new TypeError("encoding must be a string");
      return Object.prototype.hasOwnProperty.call(ENCODINGS, encoding);
    }

    static byteLength(value, encoding) {
      if (typeof value === "string") return decodeString(value, encodingOf(encoding)).length;
      if (isView(value) || value instanceof ArrayBuffer) return value.byteLength;
      throw new TypeError(`first argument ${typeName(value)} is not a string or Buffer-like object`);
    }

    static compare(a, b) {
      return compareBytes(a, b);
    }

    static concat(list, totalLength) {
      if (!Array.isArray(list)) throw new TypeError('"list" argument must be an instance of Array');
      let total = 0;
      for (let i = 0; i < list.length; i++) {
        if (!(list[i] instanceof Uint8Array)) {
          throw new TypeError(`"list[${i}]" argument must be an instance of Buffer or Uint8Array`);
        }
        total += list[i].length;
      }
      if (totalLength !== undefined) {
        if (typeof totalLength !== "number") throw new TypeError('"length" argument must be of type number');
        if (totalLength < 0) throw new RangeError('"length" is out of range');
        total = totalLength;
      }
      const out = new Buffer(total);
      let offset = 0;
      for (let i = 0; i < list.length && offset < total; i++) {
        const item = list[i].subarray(0, total - offset);
        out.set(item, offset);
        offset += item.length;
      }
      return out;
    }

    toString(encoding, start, end) {
      const array = slot(this, "this");
      const name = encodingOf(encoding);
      const first = start === undefined ? 0 : Math.min(toIndex(start), array.length);
      const last = end === undefined ? array.length : Math.min(toIndex(end), array.length);
      return last <= first ? "" : encodeBytes(array.subarray(first, last), name);
    }

    equals(other) {
      return compareBytes(this, other) === 0;
    }

    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      return compareBytes(this, target, targetStart, targetEnd, sourceStart, sourceEnd);
    }

    copy(target, targetStart, sourceStart, sourceEnd) {
      const source = slot(this, "source");
      const to = range(slot(target, "target"), targetStart, undefined, "target");
      const from = range(source, sourceStart, sourceEnd, "source");
      const size = Math.min(to.length, from.length);
      to.set(from.subarray(0, size));
      return size;
    }

    write(value, offset, length, encoding) {
      const array = slot(this, "this");
      if (typeof value !== "string") throw new TypeError("first argument must be a string");
      let at = 0;
      let size = array.length;
      if (typeof offset === "string") encoding = offset;
      else {
        if (offset !== undefined) at = toIndex(offset);
        if (typeof length === "string") encoding = length;
        else if (length !== undefined) size = toIndex(length);
      }
      const bytes = decodeString(value, encodingOf(encoding));
      if (at >= array.length) throw new RangeError('"offset" is out of range');
      const count = Math.min(size, array.length - at, bytes.length);
      array.set(bytes.subarray(0, count), at);
      return count;
    }

    fill(value, offset, end, encoding) {
      if (arguments.length < 1) return this;
      const array = slot(this, "this");
      let first = 0;
      let last = array.length;
      if (offset !== undefined) {
        if (typeof value === "string" && typeof offset === "string") encoding = offset;
        else {
          first = toIndex(offset);
          if (end !== undefined) {
            if (typeof value === "string" && typeof end === "string") encoding = end;
            else last = toIndex(end);
          }
        }
      } else if (end !== undefined) {
        if (typeof value === "string" && typeof end === "string") encoding = end;
        else last = toIndex(end);
      }
      fillBytes(array, value, encoding, first, last);
      return this;
    }

    includes(value, byteOffset, encoding) {
      return search(this, [value, byteOffset, encoding], false) !== -1;
    }

    indexOf(value, byteOffset, encoding) {
      return search(this, [value, byteOffset, encoding], false);
    }

    lastIndexOf(value, byteOffset, encoding) {
      return search(this, [value, byteOffset, encoding], true);
    }

    slice(start, end) {
      return this.subarray(start, end);
    }

    subarray(start, end) {
      return wrap(Uint8Array.prototype.subarray.call(this, start, end));
    }

    swap16() {
      return swap(this, 2);
    }

    swap32() {
      return swap(this, 4);
    }

    swap64() {
      return swap(this, 8);
    }

    toJSON() {
      return { type: "Buffer", data: Array.from(slot(this, "this")) };
    }

    readIntBE(offset, byteLength) {
      return readInt(slot(this, "this"), offset, variableSize(byteLength), true, false);
    }

    readIntLE(offset, byteLength) {
      return readInt(slot(this, "this"), offset, variableSize(byteLength), true, true);
    }

    readUIntBE(offset, byteLength) {
      return readInt(slot(this, "this"), offset, variableSize(byteLength), false, false);
    }

    readUIntLE(offset, byteLength) {
      return readInt(slot(this, "this"), offset, variableSize(byteLength), false, true);
    }

    writeIntBE(value, offset, byteLength) {
      return writeInt(slot(this, "this"), arguments, variableSize(byteLength), false);
    }

    writeIntLE(value, offset, byteLength) {
      return writeInt(slot(this, "this"), arguments, variableSize(byteLength), true);
    }

    writeUIntBE(value, offset, byteLength) {
      return writeInt(slot(this, "this"), arguments, variableSize(byteLength), false);
    }

    writeUIntLE(value, offset, byteLength) {
      return writeInt(slot(this, "this"), arguments, variableSize(byteLength), true);
    }
  }

  function wrap(bytes) {
    return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  // njs_buffer_from_object: an array-like (`length`), or {type: "Buffer", data}.
  function arrayLike(value) {
    for (;;) {
      if (value.length === undefined && !("length" in value)) {
        if (String(value.type) !== "Buffer") return null;
        const data = value.data;
        if (data === null || typeof data !== "object") return null;
        value = data;
        continue;
      }
      const size = Math.min(Math.max(0, toInteger(value.length)), Number.MAX_SAFE_INTEGER);
      const out = new Buffer(size);
      for (let i = 0; i < size; i++) out[i] = toInteger(value[i]) & 0xff;
      return out;
    }
  }

  function swap(buffer, size) {
    const array = slot(buffer, "this");
    if (array.length % size !== 0) throw new RangeError(`Buffer size must be a multiple of ${size * 8}-bits`);
    for (let at = 0; at < array.length; at += size) array.subarray(at, at + size).reverse();
    return buffer;
  }

  // The fixed-width readers and writers: [name, size, signed, little endian].
  const INTEGERS = [
    ["Int8", 1, true, false],
    ["UInt8", 1, false, false],
    ["Int16BE", 2, true, false],
    ["Int16LE", 2, true, true],
    ["UInt16BE", 2, false, false],
    ["UInt16LE", 2, false, true],
    ["Int32BE", 4, true, false],
    ["Int32LE", 4, true, true],
    ["UInt32BE", 4, false, false],
    ["UInt32LE", 4, false, true],
  ];
  const methods = {};
  INTEGERS.forEach(([name, size, signed, little]) => {
    methods[`read${name}`] = function (offset) {
      return readInt(slot(this, "this"), offset, size, signed, little);
    };
    methods[`write${name}`] = function (value, offset) {
      return writeInt(slot(this, "this"), arguments, size, little);
    };
  });
  // njs 0.8.2: float and double writers return undefined.
  [
    ["Float", 4, "Float32"],
    ["Double", 8, "Float64"],
  ].forEach(([name, size, kind]) => {
    ["BE", "LE"].forEach((order) => {
      const little = order === "LE";
      methods[`read${name}${order}`] = function (offset) {
        const array = slot(this, "this");
        return view(array)[`get${kind}`](place(array, offset, size), little);
      };
      methods[`write${name}${order}`] = function (value, offset) {
        const array = slot(this, "this");
        const number = Number(value);
        view(array)[`set${kind}`](place(array, arguments.length > 1 ? offset : 0, size), number, little);
        return undefined;
      };
    });
  });
  Object.keys(methods).forEach((name) => {
    Object.defineProperty(Buffer.prototype, name, { value: methods[name], writable: true, configurable: true });
  });

  // -- TextEncoder, TextDecoder ---------------------------------------------------------------

  const isObject = (value) => value !== null && (typeof value === "object" || typeof value === "function");

  class TextEncoder {
    #encoder = true;

    static #check(value) {
      if (!isObject(value) || !(#encoder in value)) throw new TypeError('"this" is not a TextEncoder');
    }

    get encoding() {
      return "utf-8";
    }

    encode(value) {
      TextEncoder.#check(this);
      return utf8Encode(String(value === undefined ? "" : value));
    }

    encodeInto(value, destination) {
      TextEncoder.#check(this);
      const input = String(value);
      if (!(destination instanceof Uint8Array)) {
        throw new TypeError('The "destination" argument must be an instance of Uint8Array');
      }
      let read = 0;
      let written = 0;
      const out = [];
      for (let i = 0; i < input.length; i++) {
        const code = codePointAt(input, i);
        const size = utf8Size(code);
        if (written + size > destination.length) break;
        pushUtf8(out, code);
        read += code > 0xffff ? 2 : 1;
        written += size;
        if (code > 0xffff) i++;
      }
      destination.set(out);
      return { read, written };
    }
  }

  class TextDecoder {
    #fatal = false;
    #ignoreBOM = false;
    #pending = null;

    constructor(label, options) {
      if (arguments.length > 0) {
        const name = String(label);
        if (name !== "utf-8" && name !== "utf8") throw new RangeError(`The "${name}" encoding is not supported`);
      }
      if (arguments.length > 1) {
        if (options === null || (typeof options !== "object" && typeof options !== "function")) {
          throw new TypeError('The "options" argument must be of type object');
        }
        this.#fatal = Boolean(options.fatal);
        this.#ignoreBOM = Boolean(options.ignoreBOM);
      }
    }

    get encoding() {
      return "utf-8";
    }

    static #check(value) {
      if (!isObject(value) || !(#fatal in value)) throw new TypeError('"this" is not a TextDecoder');
    }

    get fatal() {
      return isObject(this) && #fatal in this ? this.#fatal : undefined;
    }

    get ignoreBOM() {
      return isObject(this) && #ignoreBOM in this ? this.#ignoreBOM : undefined;
    }

    decode(input, options) {
      TextDecoder.#check(this);
      let bytes = new Uint8Array(0);
      if (arguments.length > 0) {
        if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
        else if (isView(input) && !(input instanceof DataView)) bytes = bytesOf(input);
        else throw new TypeError('The "input" argument must be an instance of TypedArray');
      }
      let stream = false;
      if (arguments.length > 1) {
        if (options === null || (typeof options !== "object" && typeof options !== "function")) {
          throw new TypeError('The "options" argument must be of type object');
        }
        stream = Boolean(options.stream);
      }
      if (!this.#ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
      }
      if (this.#pending !== null) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        bytes = joined;
      }
      const state = utf8DecodeState(bytes, stream);
      if (this.#fatal && state.invalid) {
        this.#pending = null;
        throw new TypeError("The encoded data was not valid");
      }
      this.#pending = state.pending;
      return state.text;
    }
  }

  // -- atob, btoa -----------------------------------------------------------------------------

  function btoa(value) {
    const input = String(value);
    const bytes = new Uint8Array(input.length);
    for (let i = 0; i < input.length; i++) {
      const code = input.charCodeAt(i);
      if (code > 0xff) throw new TypeError("invalid character (>= U+00FF)");
      bytes[i] = code;
    }
    return base64Encode(bytes, BASE64, true);
  }

  // Spaces are skipped; "=" may only end a string whose length is a multiple of 4.
  function atob(value) {
    const input = String(value).replace(/ /g, "");
    let pad = 0;
    if (input.length % 4 === 0) {
      if (input.length > 0 && input[input.length - 1] === "=") pad++;
      if (input.length > 1 && input[input.length - 2] === "=") pad++;
    } else if (input.length % 4 === 1) {
      throw new TypeError("the string to be decoded is not correctly encoded");
    }
    const body = input.slice(0, input.length - pad);
    for (let i = 0; i < body.length; i++) {
      const code = body.charCodeAt(i);
      if (code >= 128 || BASE64_DIGITS[code] < 0) throw new TypeError("the string to be decoded is not correctly encoded");
    }
    return text(Array.from(base64Decode(body, BASE64_DIGITS)));
  }

  // The global Buffer, as in njs, cannot be called or constructed (`TypeError: Buffer is not a
  // constructor`): the class above builds every buffer, through Symbol.species for the
  // inherited Uint8Array methods.
  const PublicBuffer = function Buffer() {
    throw new TypeError("Buffer is not a constructor");
  };
  Object.setPrototypeOf(PublicBuffer, Uint8Array);
  PublicBuffer.prototype = Buffer.prototype;
  Object.defineProperty(Buffer.prototype, "constructor", { value: PublicBuffer, writable: true, configurable: true });
  Object.defineProperty(PublicBuffer, Symbol.species, { get: () => Buffer, configurable: true });
  ["alloc", "allocUnsafe", "byteLength", "compare", "concat", "from", "isBuffer", "isEncoding"].forEach((name) => {
    Object.defineProperty(PublicBuffer, name, { value: Buffer[name], writable: true, configurable: true });
  });

  return Object.freeze({
    Buffer: PublicBuffer,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    stringBytes,
    encodeBytes,
    isTypedArray,
    wrap,
    utf8Encode,
    utf8Decode,
  });
})()
