// cfmock: require('querystring') for the cloudfront-js-2.0 emulation, after njs 0.8.2
// (external/njs_query_string_module.c). Loaded by the prelude on first use, as an expression
// whose value is a function of the encoding module that returns the module object.
(function (encoding) {
  "use strict";
  // The same WHATWG UTF-8 decoder as TextDecoder: each maximal invalid subpart is one U+FFFD.
  const utf8Decode = encoding.utf8Decode;
  const encodeComponent = encodeURIComponent;
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

  function hexDigit(code) {
    if (code >= 48 && code <= 57) return code - 48;
    if (code >= 97 && code <= 102) return code - 87;
    if (code >= 65 && code <= 70) return code - 55;
    return -1;
  }

  // njs_query_string_decode: "%XX" is a UTF-8 byte, "+" a space; a malformed escape stays as
  // written; invalid UTF-8 becomes U+FFFD.
  function unescape(value) {
    const input = String(value);
    let out = "";
    let bytes = [];
    const flush = () => {
      if (bytes.length > 0) out += utf8Decode(bytes);
      bytes = [];
    };
    for (let i = 0; i < input.length; i++) {
      const char = input[i];
      if (char === "%" && i + 2 < input.length) {
        const high = hexDigit(input.charCodeAt(i + 1));
        const low = hexDigit(input.charCodeAt(i + 2));
        if (high >= 0 && low >= 0) {
          bytes.push(high * 16 + low);
          i += 2;
          continue;
        }
      }
      flush();
      out += char === "+" ? " " : char;
    }
    flush();
    return out.replace(LONE_SURROGATE, "\ufffd");
  }

  // Every byte of the UTF-8 form except A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX, uppercase.
  function escape(value) {
    return encodeComponent(String(value).replace(LONE_SURROGATE, "\ufffd"));
  }

  function separator(value, fallback) {
    if (value === null || value === undefined) return fallback;
    const text = String(value);
    return text.length === 0 ? fallback : text;
  }

  const isObject = (value) => value !== null && (typeof value === "object" || typeof value === "function");

  function codec(holder, options, option, method) {
    if (isObject(options)) {
      const given = options[option];
      if (given !== undefined) {
        if (typeof given !== "function") throw new TypeError(`option ${option} is not a function`);
        return given;
      }
    }
    const own = (isObject(holder) ? holder : querystring)[method];
    if (typeof own !== "function") throw new TypeError(`QueryString.${method} is not a function`);
    return own;
  }

  function parse(value, sep, eq, options) {
    const input = typeof value === "string" ? value : "";
    const sepText = separator(sep, "&");
    const eqText = separator(eq, "=");
    let maxKeys = 1000;
    if (isObject(options) && options.maxKeys !== undefined) {
      if (typeof options.maxKeys !== "number" || Number.isNaN(options.maxKeys)) throw new TypeError("is not a number");
      maxKeys = Math.trunc(options.maxKeys) === 0 ? Infinity : Math.trunc(options.maxKeys);
    }
    const decode = codec(this, options, "decodeURIComponent", "unescape");
    const native = decode === unescape;
    const result = {};
    const append = (key, val) => {
      let name = key;
      let data = val;
      if (native) {
        name = unescape(key);
        data = unescape(val);
      } else {
        if (key.length > 0) name = String(decode.call(undefined, key));
        if (val.length > 0) data = String(decode.call(undefined, val));
      }
      if (Object.prototype.hasOwnProperty.call(result, name)) {
        const old = result[name];
        data = Array.isArray(old) ? (old.push(data), old) : [old, data];
      }
      Object.defineProperty(result, name, { value: data, writable: true, enumerable: true, configurable: true });
    };
    let count = 0;
    let key = 0;
    do {
      if (count++ === maxKeys) break;
      let part = input.indexOf(sepText, key);
      if (part < 0) part = input.length;
      if (part !== key) {
        const at = input.slice(key, part).indexOf(eqText);
        if (at < 0) append(input.slice(key, part), "");
        else append(input.slice(key, key + at), input.slice(key + at + eqText.length, part));
      }
      key = part + sepText.length;
    } while (key < input.length);
    return result;
  }

  function stringify(object, sep, eq, options) {
    if (!isObject(object)) return "";
    const sepText = separator(sep, "&");
    const eqText = separator(eq, "=");
    const encode = codec(this, options, "encodeURIComponent", "escape");
    const native = encode === escape;
    const encoded = (value) => (native ? escape(value) : String(encode.call(undefined, String(value))));
    const push = (key, value) => {
      let piece = encoded(key) + eqText;
      const valid = (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" || typeof value === "string";
      if (valid) piece += encoded(String(value));
      return piece;
    };
    let out = "";
    const keys = Object.keys(object);
    for (let n = 0; n < keys.length; n++) {
      const value = object[keys[n]];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (out.length > 0) out += sepText;
          out += push(keys[n], value[i]);
        }
        continue;
      }
      if (n !== 0) out += sepText;
      out += push(keys[n], value);
    }
    return out;
  }

  // A plain object, as in njs: escape and unescape can be replaced, and parse and stringify then
  // use the replacements.
  const querystring = { parse, stringify, decode: parse, encode: stringify, escape, unescape };
  return querystring;
})
