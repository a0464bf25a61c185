// cfmock: require('querystring') for the cloudfront-js-2.0 emulation. Loaded by the
// prelude on first use, as an expression whose value is the module object.
(function () {
  "use strict";
  const querystring = {
    escape: (text) => encodeURIComponent(text),
    unescape: (text) => {
      try {
        return decodeURIComponent(text);
      } catch (error) {
        return text;
      }
    },
    parse(text, sep = "&", eq = "=") {
      const result = {};
      if (typeof text !== "string" || text.length === 0) return result;
      for (const pair of text.split(sep)) {
        if (pair === "") continue;
        const at = pair.indexOf(eq);
        const key = querystring.unescape((at >= 0 ? pair.slice(0, at) : pair).replace(/\+/g, " "));
        const value = at >= 0 ? querystring.unescape(pair.slice(at + eq.length).replace(/\+/g, " ")) : "";
        if (!(key in result)) result[key] = value;
        else if (Array.isArray(result[key])) result[key].push(value);
        else result[key] = [result[key], value];
      }
      return result;
    },
    stringify(object, sep = "&", eq = "=") {
      if (object === null || typeof object !== "object") return "";
      const parts = [];
      for (const key of Object.keys(object)) {
        const values = Array.isArray(object[key]) ? object[key] : [object[key]];
        for (const value of values) {
          const text = value === undefined || value === null ? "" : String(value);
          parts.push(`${encodeURIComponent(key)}${eq}${encodeURIComponent(text)}`);
        }
      }
      return parts.join(sep);
    },
  };
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;
  return Object.freeze(querystring);
})()
