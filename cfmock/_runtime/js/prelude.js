// cfmock's emulation of CloudFront's cloudfront-js-2.0 runtime for connection functions.
//
// Evaluated in a fresh QuickJS context before the run's input is known (the worker prepares the
// next context while it waits). It defines the runtime surface (console, Buffer,
// TextEncoder/TextDecoder, require, the 'cloudfront' module, a frozen Date), removes what
// CloudFront refuses (eval, the Function constructor), and evaluates to one function, `control`,
// that only the host holds: control("input", json) takes the run's input before the user's
// code runs, and control("run") calls connectionHandler.
//
// What the run decides, logs and throws leaves at once through the host's __cfmock_host
// callable, never by a read-back at the end: nothing user code does afterwards (replacing
// String, JSON, Object.defineProperty, Array.prototype, ...) can change what was reported.
// Everything this file uses after user code has started is captured here, before it can be
// replaced, and none of it iterates (no destructuring, spread or for-of).
"use strict";
(function (global) {
  const callHost = global.__cfmock_host;
  delete global.__cfmock_host;

  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const StringOf = String;
  const charCodeAt = uncurry(String.prototype.charCodeAt);
  const sliceString = uncurry(String.prototype.slice);
  const indexOf = uncurry(String.prototype.indexOf);
  const toWellFormed = uncurry(String.prototype.toWellFormed);
  const hasOwn = uncurry(Object.prototype.hasOwnProperty);
  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const objectKeys = Object.keys;
  const ownKeys = Reflect.ownKeys;
  const construct = Reflect.construct;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseReject = Promise.reject.bind(Promise);
  const promiseThen = uncurry(Promise.prototype.then);
  const RealDate = Date;

  // The engine hands strings to the host as C strings, which end at a NUL: a string with one
  // travels as JSON instead.
  function host(kind, text) {
    return indexOf(text, "\0") === -1 ? callHost(kind, text) : callHost(kind, stringify(text), true);
  }

  // What the faithful profile takes away: the globals and methods CloudFront's runtime lacks.
  const absent = parseJson(callHost("source", "absent"));

  // Set by control("input").
  let now = 0;
  let store = null;
  let connection = null;
  let limits = { logBytes: 10240, logEntries: 10240, customDataBytes: 800, errorBytes: 10240 };

  // -- Strings that leave the engine ------------------------------------------------------------

  // cut(text, limit): the longest prefix of text whose UTF-8 form fits in limit bytes, never
  // splitting a character, with unpaired surrogates replaced by U+FFFD (3 bytes each). It reads
  // at most limit + 1 code units, so a 60 MiB string costs no more than a short one. Its size
  // in bytes is left in cutBytes, and whether it is the whole text in cutWhole.
  let cutBytes = 0;
  let cutWhole = true;

  function cut(text, limit) {
    const length = text.length;
    let bytes = 0;
    let index = 0;
    while (index < length) {
      const unit = charCodeAt(text, index);
      let size = 3;
      let width = 1;
      if (unit < 0x80) size = 1;
      else if (unit < 0x800) size = 2;
      else if (unit >= 0xd800 && unit < 0xdc00 && index + 1 < length) {
        const next = charCodeAt(text, index + 1);
        if (next >= 0xdc00 && next < 0xe000) {
          size = 4;
          width = 2;
        }
      }
      if (bytes + size > limit) break;
      bytes += size;
      index += width;
    }
    cutBytes = bytes;
    cutWhole = index === length;
    return toWellFormed(cutWhole ? text : sliceString(text, 0, index));
  }

  // The thrown value as "Name: message". A getter that throws, a Proxy, or a value whose
  // conversion to a string throws cannot make this throw.
  const UNDESCRIBABLE = "Error: the thrown value cannot be converted to a string";

  function describe(error) {
    if (error !== null && typeof error === "object") {
      try {
        const message = error.message;
        if (typeof message === "string") {
          const name = error.name;
          return (name ? StringOf(name) : "Error") + ": " + message;
        }
      } catch (ignored) {
        // A getter threw: describe the value itself, below.
      }
    }
    try {
      return "Error: " + StringOf(error);
    } catch (ignored) {
      return UNDESCRIBABLE;
    }
  }

  let failed = false;

  function fail(error) {
    if (failed) return;
    failed = true;
    host("fail", cut(describe(error), limits.errorBytes));
  }

  // -- Modules loaded on first use -------------------------------------------------------------
  // Parsing all of the runtime up front cost more than a whole test run may take; the larger
  // parts arrive as source strings and are evaluated, once, when the function first uses them.

  const evaluate = global.eval;
  const loaded = Object.create(null);

  // Each module's source comes from the host, as a string, the first time it is used.
  // The host keeps what a module allocates off the run's memory limit ("loaded").
  function load(name) {
    if (!(name in loaded)) {
      loaded[name] = evaluate(host("source", name));
      host("loaded", name);
    }
    return loaded[name];
  }

  const encoding = () => load("encoding");
  const querystring = () => {
    if (!("querystring" in loaded)) loaded.querystring = load("querystring-factory")(encoding());
    return loaded.querystring;
  };
  const crypto = () => {
    if (!("crypto" in loaded)) loaded.crypto = load("crypto-factory")(encoding());
    return loaded.crypto;
  };

  // -- The 'cloudfront' module: cf.kvs() --------------------------------------------------------

  function kvs(name) {
    if (store === null) {
      throw new Error("No KeyValueStore is associated with this function");
    }
    if (store.names !== null && name !== undefined && store.names.indexOf(name) === -1) {
      throw new Error(`KeyValueStore "${StringOf(name)}" is not associated with this function`);
    }
    // The keys stay in the worker: each read asks the host for one key (as JSON, so that any
    // string travels), and the host answers from its copy of the store at the run's version.
    // A key is what it would be as a property name (ToPropertyKey, once): a symbol, boxed or
    // not, names no key of the store.
    const lookup = (kind, key) => {
      const name = ownKeys({ [key]: 0 })[0];
      return typeof name === "symbol" ? null : callHost(kind, stringify(name), true);
    };
    const has = (key) => lookup("kvs-has", key) === "1";
    return freeze({
      get(key, options) {
        const format = (options && options.format) || "string";
        const found = lookup("kvs-get", key);
        if (found === null || found === undefined) return promiseReject(new Error(`Key ${key} not found`));
        try {
          const value = parseJson(found);
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
        return promiseResolve(parseJson(callHost("kvs-meta", "")));
      },
    });
  }

  const cloudfront = freeze({ kvs });

  const modules = { crypto, querystring, buffer: () => freeze({ Buffer: encoding().Buffer }) };

  function require(name) {
    if (hasOwn(modules, name)) return modules[name]();
    throw new Error(`Cannot find module "${name}"`);
  }

  function importModule(name) {
    if (name === "cloudfront") return cloudfront;
    if (hasOwn(modules, name)) return modules[name]();
    throw new Error(`Cannot find module "${name}"`);
  }

  // -- console, Date, and what CloudFront refuses ---------------------------------------------

  function show(value) {
    if (typeof value === "string") return value;
    if (value !== null && typeof value === "object") {
      try {
        const text = stringify(value);
        if (typeof text === "string") return text;
      } catch (error) {
        // Circular or otherwise unserializable: fall through to String().
      }
    }
    return StringOf(value);
  }

  // The logs are cut at limits.logBytes of UTF-8 in total, at a character boundary; the entry
  // that crosses the limit keeps what fits and every later entry is dropped.
  let logBytesLeft = 0;
  let logEntries = 0;
  let logsFull = false;

  const console = freeze({
    log(value) {
      const text = show(value);
      if (logsFull) return;
      if (logEntries >= limits.logEntries) {
        logsFull = true;
        return;
      }
      const piece = cut(text, logBytesLeft);
      if (!cutWhole) {
        logsFull = true;
        if (piece === "") return;
      }
      logBytesLeft -= cutBytes;
      logEntries += 1;
      host("log", piece);
    },
  });

  // A function, not a class, so that Date() without `new` still returns a string.
  function FrozenDate(...args) {
    if (new.target === undefined) return new RealDate(now).toString();
    return construct(RealDate, args.length === 0 ? [now] : args, new.target);
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

  for (const name of ["Buffer", "TextEncoder", "TextDecoder", "atob", "btoa"]) {
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

  let decided = false;
  const decide = (action) => () => {
    if (decided) return;
    decided = true;
    host("decide", action);
  };

  // The faithful profile: the built-ins CloudFront's runtime lacks are not there.
  // Methods first: some owners (Iterator.prototype) are reached through a global that goes.
  function restrict() {
    const owners = objectKeys(absent.methods);
    for (let i = 0; i < owners.length; i++) {
      const path = owners[i].split(".");
      let owner = global;
      for (let j = 0; j < path.length; j++) owner = owner[path[j]];
      const names = absent.methods[owners[i]];
      for (let j = 0; j < names.length; j++) delete owner[names[j]];
    }
    const globals = absent.globals;
    for (let i = 0; i < globals.length; i++) delete global[globals[i]];
    defineProperty(global, "RegExp", { value: FaithfulRegExp, writable: true, configurable: true });
    defineProperty(RealRegExp.prototype, "constructor", {
      value: FaithfulRegExp,
      writable: true,
      configurable: true,
    });
  }

  // njs's regular expressions take the flags g, i, m and y only; a literal with another is
  // refused at load time, and a RegExp built at run time throws njs's text.
  const RealRegExp = RegExp;
  function FaithfulRegExp(pattern, flags) {
    if (flags !== undefined) {
      const text = StringOf(flags);
      for (let i = 0; i < text.length; i++) {
        if (indexOf("gimy", sliceString(text, i, i + 1)) === -1) {
          throw new SyntaxError(`Invalid RegExp flags "${sliceString(text, 0, i + 1)}"`);
        }
      }
    }
    const args = flags === undefined ? [pattern] : [pattern, flags];
    return construct(RealRegExp, args, new.target === undefined ? RealRegExp : new.target);
  }
  FaithfulRegExp.prototype = RealRegExp.prototype;

  // Math.random seeded from the run's start time (seed_random): mulberry32, 53 bits a number.
  function seedRandom(seed) {
    let state = seed >>> 0 ^ Math.floor(seed / 4294967296);
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    };
    defineProperty(Math, "random", {
      value: function random() {
        return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
      },
      writable: true,
      configurable: true,
    });
  }

  function begin(text) {
    const input = parseJson(text);
    if (input.profile === "faithful") restrict();
    if (input.seedRandom) seedRandom(input.now);
    now = input.now;
    store = input.kvs;
    limits = input.limits;
    logBytesLeft = limits.logBytes;
    connection = input.event;
    defineProperty(connection, "allow", { value: decide("allow") });
    defineProperty(connection, "deny", { value: decide("deny") });
    defineProperty(connection, "logCustomData", {
      value(data) {
        host("custom", cut(StringOf(data), limits.customDataBytes));
      },
    });
    if (connection.clientCertificate && connection.clientCertificate.certificates && !("clientCertInfo" in connection)) {
      defineProperty(connection, "clientCertInfo", {
        get: () => connection.clientCertificate.certificates.leaf,
        enumerable: false,
      });
    }
    // From here on, what the run allocates counts against its memory limit.
    host("limit", limits.memoryBytes === null ? "" : StringOf(limits.memoryBytes));
  }

  const settled = () => host("settled", "");

  // Calls connectionHandler; "pending" when it returned a promise (or thenable) that has not
  // settled yet, whose outcome arrives through host("settled") and host("fail").
  function run() {
    let handler;
    try {
      handler = evaluate('typeof connectionHandler === "function" ? connectionHandler : undefined');
    } catch (error) {
      fail(error);
      return "done";
    }
    if (typeof handler !== "function") {
      failed = true;
      host("fail", "ReferenceError: connectionHandler is not defined");
      return "done";
    }
    let result;
    try {
      result = handler(connection);
      if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
        promiseThen(promiseResolve(result), settled, (error) => {
          fail(error);
          settled();
        });
        return "pending";
      }
    } catch (error) {
      fail(error);
    }
    return "done";
  }

  return function control(step, argument) {
    if (step === "input") return begin(argument);
    if (step === "run") return run();
    throw new Error(`unknown step ${step}`);
  };
})(globalThis);
