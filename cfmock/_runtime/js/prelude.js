// cfmock's emulation of CloudFront's cloudfront-js-2.0 runtime for connection functions.
//
// Evaluated in a fresh QuickJS context before the function's code. It reads its input from
// the global string __cfmock_input, defines the runtime surface (console, Buffer,
// TextEncoder/TextDecoder, require, the 'cloudfront' module, a frozen Date), removes what
// CloudFront refuses (eval, the Function constructor), and leaves two entry points for the
// host: __cfmock_run(handler) and __cfmock_result(), which returns one JSON string.
// Everything the host later relies on is captured here, before user code can replace it.
"use strict";
(function (global) {
  const input = JSON.parse(global.__cfmock_input);
  delete global.__cfmock_input;

  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseReject = Promise.reject.bind(Promise);
  const promiseThen = Function.prototype.call.bind(Promise.prototype.then);
  const RealDate = Date;

  const state = Object.create(null);
  state.action = null;
  state.customData = null;
  state.error = null;
  state.logs = [];
  state.pending = false;

  function append(list, value) {
    defineProperty(list, list.length, { value, writable: true, enumerable: true, configurable: true });
  }

  function describe(error) {
    if (error !== null && typeof error === "object" && typeof error.message === "string") {
      return `${error.name || "Error"}: ${error.message}`;
    }
    return `Error: ${String(error)}`;
  }

  // -- Modules loaded on first use -------------------------------------------------------------
  // Parsing all of the runtime up front cost more than a whole test run may take; the larger
  // parts arrive as source strings and are evaluated, once, when the function first uses them.

  const evaluate = global.eval;
  const loaded = Object.create(null);

  function load(name, source) {
    if (!(name in loaded)) loaded[name] = evaluate(source);
    return loaded[name];
  }

  const encoding = () => load("encoding", /* cfmock:source encoding */);
  const querystring = () => load("querystring", /* cfmock:source querystring */);
  const crypto = () => {
    if (!("crypto" in loaded)) loaded.crypto = evaluate(/* cfmock:source crypto */)(encoding());
    return loaded.crypto;
  };

  // -- The 'cloudfront' module: cf.kvs() --------------------------------------------------------

  const store = input.kvs;

  function kvs() {
    if (store === null) {
      throw new Error("No KeyValueStore is associated with this function");
    }
    const data = store.data;
    const has = (key) => Object.prototype.hasOwnProperty.call(data, key);
    return freeze({
      get(key, options) {
        const format = (options && options.format) || "string";
        if (!has(key)) return promiseReject(new Error(`Key ${key} not found`));
        const value = data[key];
        try {
          if (format === "string") return promiseResolve(value);
          if (format === "json") return promiseResolve(parseJson(value));
          if (format === "bytes") return promiseResolve(encoding().Buffer.from(value, "utf8"));
        } catch (error) {
          return promiseReject(error);
        }
        return promiseReject(new Error(`Unknown format ${format}; use string, json or bytes`));
      },
      exists(key) {
        return promiseResolve(has(key));
      },
      meta() {
        return promiseResolve({
          creationDateTime: store.creationDateTime,
          lastUpdatedDateTime: store.lastUpdatedDateTime,
          keyCount: Object.keys(data).length,
        });
      },
    });
  }

  const cloudfront = freeze({ kvs });

  const modules = { crypto, querystring, buffer: () => freeze({ Buffer: encoding().Buffer }) };

  function require(name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name]();
    throw new Error(`Cannot find module '${name}'`);
  }

  function importModule(name) {
    if (name === "cloudfront") return cloudfront;
    throw new Error(`Cannot find module '${name}'`);
  }

  // -- console, Date, and what CloudFront refuses ---------------------------------------------

  function show(value) {
    if (typeof value === "string") return value;
    if (value !== null && typeof value === "object") {
      try {
        const text = stringify(value);
        if (text !== undefined) return text;
      } catch (error) {
        // Circular or otherwise unserializable: fall through to String().
      }
    }
    return String(value);
  }

  const console = freeze({
    log(value) {
      append(state.logs, show(value));
    },
  });

  const now = input.now;

  // A function, not a class, so that Date() without `new` still returns a string.
  function FrozenDate(...args) {
    if (new.target === undefined) return new RealDate(now).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now] : args, new.target);
  }
  FrozenDate.prototype = RealDate.prototype;
  FrozenDate.now = () => now;
  FrozenDate.parse = RealDate.parse;
  FrozenDate.UTC = RealDate.UTC;
  defineProperty(RealDate.prototype, "constructor", { value: FrozenDate, writable: true, configurable: true });

  function refuse(what) {
    const refused = function () {
      throw new EvalError(`${what} is not supported by the cloudfront-js-2.0 runtime`);
    };
    return refused;
  }

  const refusedFunction = refuse("The Function constructor");
  refusedFunction.prototype = Function.prototype;
  for (const sample of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    defineProperty(Object.getPrototypeOf(sample), "constructor", { value: refusedFunction });
  }

  for (const name of ["Buffer", "TextEncoder", "TextDecoder"]) {
    const settle = (value) => defineProperty(global, name, { value, writable: true, configurable: true });
    defineProperty(global, name, {
      configurable: true,
      get() {
        const value = encoding()[name];
        settle(value);
        return value;
      },
      set: settle,
    });
  }

  const globals = {
    console,
    require,
    Date: FrozenDate,
    Function: refusedFunction,
    eval: refuse("eval"),
    __cfmock_import: importModule,
  };
  for (const name of Object.keys(globals)) {
    defineProperty(global, name, { value: globals[name], writable: true, configurable: true });
  }

  // -- The connection object and the host's entry points --------------------------------------

  const MAX_CUSTOM_DATA_BYTES = 800;

  function truncateUtf8(text, limit) {
    if (text.length * 3 <= limit) return text;
    const { utf8Encode, utf8Decode } = encoding();
    const bytes = utf8Encode(text);
    if (bytes.length <= limit) return text;
    let end = limit;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
    return utf8Decode(bytes.subarray(0, end));
  }

  const connection = parseJson(stringify(input.event));
  const decide = (action) => () => {
    if (state.action === null) state.action = action;
  };
  defineProperty(connection, "allow", { value: decide("allow") });
  defineProperty(connection, "deny", { value: decide("deny") });
  defineProperty(connection, "logCustomData", {
    value(data) {
      state.customData = truncateUtf8(String(data), MAX_CUSTOM_DATA_BYTES);
    },
  });
  if (connection.clientCertificate && connection.clientCertificate.certificates && !("clientCertInfo" in connection)) {
    defineProperty(connection, "clientCertInfo", {
      get: () => connection.clientCertificate.certificates.leaf,
      enumerable: false,
    });
  }

  defineProperty(global, "__cfmock_run", {
    value(handler) {
      if (typeof handler !== "function") {
        state.error = "ReferenceError: connectionHandler is not defined";
        return;
      }
      let result;
      try {
        result = handler(connection);
      } catch (error) {
        state.error = describe(error);
        return;
      }
      if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
        state.pending = true;
        promiseThen(
          promiseResolve(result),
          () => {
            state.pending = false;
          },
          (error) => {
            state.pending = false;
            state.error = describe(error);
          },
        );
      }
    },
  });

  // Built by hand from primitives: user code may have polluted Object.prototype (a toJSON,
  // say) or Array.prototype, and only stringify() of a string primitive is immune to both.
  defineProperty(global, "__cfmock_result", {
    value() {
      const logs = state.logs;
      let text = "";
      for (let i = 0; i < logs.length; i++) text += (i ? "," : "") + stringify(String(logs[i]));
      const field = (value) => (value === null ? "null" : stringify(String(value)));
      const result =
        `{"action":${field(state.action)},"customData":${field(state.customData)},` +
        `"error":${field(state.error)},"pending":${state.pending === true},"logs":[${text}]}`;
      // Concatenation leaves a rope string, which the host binding cannot read; stringify()
      // returns the same text, quoted, as one flat string.
      return stringify(result);
    },
  });
})(globalThis);
