// cfmock: UTF-8, hex and base64 codecs, Buffer, TextEncoder and TextDecoder for the
// cloudfront-js-2.0 emulation. Loaded by the prelude on first use, as an expression whose
// value is the module object.
(function () {
  "use strict";
  const fromCharCode = String.fromCharCode;
  const realAtob = globalThis.atob;
  const realBtoa = globalThis.btoa;

  // -- UTF-8, hex and base64 ------------------------------------------------------------------

  function utf8Encode(text) {
    const out = [];
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
        }
      }
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      if (code < 0x80) out.push(code);
      else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
      else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      else
        out.push(
          0xf0 | (code >> 18),
          0x80 | ((code >> 12) & 63),
          0x80 | ((code >> 6) & 63),
          0x80 | (code & 63),
        );
    }
    return new Uint8Array(out);
  }

  function utf8Decode(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; ) {
      const first = bytes[i];
      const width = first < 0x80 ? 1 : first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 0;
      let code = width === 1 ? first : first & (0xff >> (width + 1));
      let valid = width > 0 && i + width <= bytes.length;
      for (let k = 1; valid && k < width; k++) {
        if ((bytes[i + k] & 0xc0) !== 0x80) valid = false;
        else code = (code << 6) | (bytes[i + k] & 63);
      }
      if (!valid) {
        out += "\ufffd";
        i += 1;
        continue;
      }
      out += code > 0xffff ? fromCharCode(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 1023)) : fromCharCode(code);
      i += width;
    }
    return out;
  }

  function latin1(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += fromCharCode(bytes[i]);
    return out;
  }

  function fromLatin1(text) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return out;
  }

  function normalizeEncoding(encoding) {
    const name = String(encoding === undefined ? "utf8" : encoding).toLowerCase();
    if (name === "utf-8") return "utf8";
    if (name === "binary") return "latin1";
    if (["utf8", "hex", "base64", "base64url", "latin1", "ascii"].includes(name)) return name;
    throw new TypeError(`Unknown encoding: ${encoding}`);
  }

  function toBytes(data, encoding) {
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (typeof data !== "string") throw new TypeError("The data must be a string, a Buffer or a typed array");
    switch (normalizeEncoding(encoding)) {
      case "hex": {
        const out = new Uint8Array(data.length >> 1);
        for (let i = 0; i < out.length; i++) {
          const byte = parseInt(data.substr(i * 2, 2), 16);
          if (Number.isNaN(byte)) return out.subarray(0, i);
          out[i] = byte;
        }
        return out;
      }
      case "base64":
      case "base64url": {
        const clean = data.replace(/-/g, "+").replace(/_/g, "/").replace(/[^A-Za-z0-9+/]/g, "");
        return fromLatin1(realAtob(clean + "===".slice((clean.length + 3) % 4)));
      }
      case "latin1":
      case "ascii":
        return fromLatin1(data);
      default:
        return utf8Encode(data);
    }
  }

  function fromBytes(bytes, encoding) {
    switch (normalizeEncoding(encoding)) {
      case "hex":
        return Array.from(bytes, (byte) => (byte < 16 ? "0" : "") + byte.toString(16)).join("");
      case "base64":
        return realBtoa(latin1(bytes));
      case "base64url":
        return realBtoa(latin1(bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      case "latin1":
        return latin1(bytes);
      case "ascii":
        return latin1(bytes.map((byte) => byte & 0x7f));
      default:
        return utf8Decode(bytes);
    }
  }

  // -- Buffer, TextEncoder, TextDecoder -------------------------------------------------------

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === "string") return Buffer._wrap(toBytes(value, encodingOrOffset));
      if (value instanceof ArrayBuffer) {
        return new Buffer(value, encodingOrOffset || 0, length === undefined ? value.byteLength - (encodingOrOffset || 0) : length);
      }
      if (ArrayBuffer.isView(value) || Array.isArray(value)) return Buffer._wrap(Uint8Array.from(value));
      if (value && value.type === "Buffer" && Array.isArray(value.data)) return Buffer._wrap(Uint8Array.from(value.data));
      throw new TypeError("The first argument must be a string, Buffer, ArrayBuffer, Array or array-like object");
    }

    static _wrap(bytes) {
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    static alloc(size, fill) {
      const buffer = new Buffer(size);
      if (fill !== undefined) buffer.fill(typeof fill === "string" ? fill.charCodeAt(0) : fill);
      return buffer;
    }

    static isBuffer(value) {
      return value instanceof Buffer;
    }

    static byteLength(value, encoding) {
      return toBytes(value, encoding).length;
    }

    static concat(list, totalLength) {
      const total = totalLength === undefined ? list.reduce((sum, item) => sum + item.length, 0) : totalLength;
      const out = new Buffer(total);
      let offset = 0;
      for (const item of list) {
        if (offset >= total) break;
        out.set(item.subarray(0, total - offset), offset);
        offset += item.length;
      }
      return out;
    }

    toString(encoding, start, end) {
      return fromBytes(this.subarray(start || 0, end === undefined ? this.length : end), encoding);
    }

    equals(other) {
      return this.length === other.length && this.every((byte, i) => byte === other[i]);
    }

    slice(start, end) {
      return this.subarray(start, end);
    }

    subarray(start, end) {
      return Buffer._wrap(Uint8Array.prototype.subarray.call(this, start, end));
    }

    toJSON() {
      return { type: "Buffer", data: Array.from(this) };
    }
  }

  class TextEncoder {
    get encoding() {
      return "utf-8";
    }

    encode(text) {
      return utf8Encode(String(text === undefined ? "" : text));
    }
  }

  class TextDecoder {
    constructor(encoding) {
      if (encoding !== undefined && !["utf-8", "utf8"].includes(String(encoding).toLowerCase())) {
        throw new RangeError(`The encoding "${encoding}" is not supported`);
      }
    }

    get encoding() {
      return "utf-8";
    }

    decode(bytes) {
      return bytes === undefined ? "" : utf8Decode(toBytes(bytes));
    }
  }

  return Object.freeze({ Buffer, TextEncoder, TextDecoder, toBytes, fromBytes, utf8Encode, utf8Decode });
})()
