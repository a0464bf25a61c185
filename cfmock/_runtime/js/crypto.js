// cfmock: require('crypto') for connection functions: createHash and createHmac with md5,
// sha1 and sha256, after njs 0.8.2 (external/njs_crypto_module.c). Pure JavaScript, because
// the engine runs without calls into Python. Loaded by the prelude on first use, as an
// expression: a function that takes the encoding module and returns the crypto module.
(function (encoding) {
  "use strict";
  const { stringBytes, encodeBytes, isTypedArray, wrap } = encoding;
  const defineProperty = Object.defineProperty;
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));

  // Pads a message as MD5 and the SHA family do: 0x80, zeros, then the bit length in 8 bytes.
  function pad(bytes, littleEndian) {
    const length = bytes.length;
    const total = (((length + 8) >> 6) + 1) << 6;
    const padded = new Uint8Array(total);
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    const low = (length * 8) >>> 0;
    const high = Math.floor(length / 0x20000000) >>> 0;
    if (littleEndian) {
      view.setUint32(total - 8, low, true);
      view.setUint32(total - 4, high, true);
    } else {
      view.setUint32(total - 8, high);
      view.setUint32(total - 4, low);
    }
    return view;
  }

  function words(state, littleEndian) {
    const out = new Uint8Array(state.length * 4);
    const view = new DataView(out.buffer);
    state.forEach((word, i) => view.setUint32(i * 4, word >>> 0, littleEndian));
    return out;
  }

  const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

  function md5(bytes) {
    const view = pad(bytes, true);
    let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      let [a, b, c, d] = [a0, b0, c0, d0];
      for (let i = 0; i < 64; i++) {
        let f;
        let g;
        if (i < 16) {
          f = (b & c) | (~b & d);
          g = i;
        } else if (i < 32) {
          f = (d & b) | (~d & c);
          g = (5 * i + 1) % 16;
        } else if (i < 48) {
          f = b ^ c ^ d;
          g = (3 * i + 5) % 16;
        } else {
          f = c ^ (b | ~d);
          g = (7 * i) % 16;
        }
        const shift = MD5_SHIFTS[(i >> 4) * 4 + (i % 4)];
        const sum = (a + f + MD5_K[i] + view.getUint32(offset + g * 4, true)) | 0;
        a = d;
        d = c;
        c = b;
        b = (b + rotl(sum, shift)) | 0;
      }
      a0 = (a0 + a) | 0;
      b0 = (b0 + b) | 0;
      c0 = (c0 + c) | 0;
      d0 = (d0 + d) | 0;
    }
    return words([a0, b0, c0, d0], true);
  }

  function sha1(bytes) {
    const view = pad(bytes, false);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Int32Array(80);
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
      let [a, b, c, d, e] = h;
      for (let i = 0; i < 80; i++) {
        let f;
        let k;
        if (i < 20) {
          f = (b & c) | (~b & d);
          k = 0x5a827999;
        } else if (i < 40) {
          f = b ^ c ^ d;
          k = 0x6ed9eba1;
        } else if (i < 60) {
          f = (b & c) | (b & d) | (c & d);
          k = 0x8f1bbcdc;
        } else {
          f = b ^ c ^ d;
          k = 0xca62c1d6;
        }
        const t = (rotl(a, 5) + f + e + k + w[i]) | 0;
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + b) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
    }
    return words(h, false);
  }

  const SHA256_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  function sha256(bytes) {
    const view = pad(bytes, false);
    const h = [
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    const w = new Int32Array(64);
    for (let offset = 0; offset < view.byteLength; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const choice = (e & f) ^ (~e & g);
        const t1 = (hh + s1 + choice + SHA256_K[i] + w[i]) | 0;
        const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const majority = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (s0 + majority) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + b) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
      h[5] = (h[5] + f) | 0;
      h[6] = (h[6] + g) | 0;
      h[7] = (h[7] + hh) | 0;
    }
    return words(h, false);
  }

  // Exact, lowercase names only: 'SHA256' is not sha256.
  const ALGORITHMS = { md5, sha1, sha256 };

  function algorithm(name) {
    if (typeof name !== "string") throw new TypeError("algorithm must be a string");
    if (!Object.prototype.hasOwnProperty.call(ALGORITHMS, name)) {
      throw new TypeError(`not supported algorithm: "${name}"`);
    }
    return ALGORITHMS[name];
  }

  // The digest's form: a Buffer without an encoding, else hex, base64 or base64url text. Checked
  // before the digest is computed, so a bad name leaves the hash usable (as in njs).
  const DIGEST_ENCODINGS = { hex: true, base64: true, base64url: true };

  function digestEncoding(name) {
    if (name === undefined) return null;
    if (typeof name !== "string") throw new TypeError("encoding must be a string");
    if (!Object.prototype.hasOwnProperty.call(DIGEST_ENCODINGS, name)) {
      throw new TypeError(`Unknown digest encoding: "${name}"`);
    }
    return name;
  }

  // A string in one of Buffer's encodings (utf8 by default), or a typed array's bytes, copied:
  // changing the buffer after update() does not change the digest.
  function bytesOf(data, encoding, what) {
    if (typeof data === "string") return stringBytes(data, encoding);
    if (isTypedArray(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    throw new TypeError(`${what} is not a string or Buffer-like object`);
  }

  function concat(chunks) {
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i].length;
    const out = new Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < chunks.length; i++) {
      out.set(chunks[i], offset);
      offset += chunks[i].length;
    }
    return out;
  }

  const DONE = "Digest already called";

  // hash.update(data[, encoding]) chains; hash.digest([encoding]) ends the hash; hash.copy()
  // (njs 0.7.12) clones an unfinished one. Hmac objects have no copy().
  class Hash {
    #compute;
    #chunks;
    #done = false;

    constructor(compute, chunks) {
      this.#compute = compute;
      this.#chunks = chunks;
    }

    static #check(value) {
      if (value === null || typeof value !== "object" || !(#compute in value)) {
        throw new TypeError('"this" is not a hash object');
      }
    }

    update(data, encoding) {
      Hash.#check(this);
      if (this.#done) throw new Error(DONE);
      this.#chunks.push(bytesOf(data, encoding, "data"));
      return this;
    }

    digest(encoding) {
      Hash.#check(this);
      if (this.#done) throw new Error(DONE);
      const name = digestEncoding(encoding);
      this.#done = true;
      const bytes = this.#compute(concat(this.#chunks));
      this.#chunks = [];
      return name === null ? wrap(bytes) : encodeBytes(bytes, name);
    }

    copy() {
      Hash.#check(this);
      if (this.#done) throw new Error(DONE);
      return new Hash(this.#compute, this.#chunks.slice());
    }
  }

  class Hmac {
    #digest;
    #key;
    #chunks = [];
    #done = false;

    constructor(digest, key) {
      this.#digest = digest;
      this.#key = key;
    }

    static #check(value) {
      if (value === null || typeof value !== "object" || !(#digest in value)) {
        throw new TypeError('"this" is not a hmac object');
      }
    }

    update(data, encoding) {
      Hmac.#check(this);
      if (this.#done) throw new Error(DONE);
      this.#chunks.push(bytesOf(data, encoding, "data"));
      return this;
    }

    digest(encoding) {
      Hmac.#check(this);
      if (this.#done) throw new Error(DONE);
      const name = digestEncoding(encoding);
      this.#done = true;
      const digest = this.#digest;
      const block = new Uint8Array(64);
      block.set(this.#key);
      const inner = block.map((byte) => byte ^ 0x36);
      const outer = block.map((byte) => byte ^ 0x5c);
      const bytes = digest(concat([outer, digest(concat([inner, concat(this.#chunks)]))]));
      this.#chunks = [];
      return name === null ? wrap(bytes) : encodeBytes(bytes, name);
    }
  }

  function createHash(name) {
    return new Hash(algorithm(name), []);
  }

  // A key longer than the block (64 bytes) is hashed first.
  function createHmac(name, key) {
    const digest = algorithm(name);
    let keyBytes = bytesOf(key, undefined, "key");
    if (keyBytes.length > 64) keyBytes = digest(keyBytes);
    return new Hmac(digest, keyBytes);
  }

  // As in njs, a hash's constructor creates a hash and an hmac's an hmac (the classes themselves
  // are not reachable), and String(hash) is "[object Hash]".
  defineProperty(Hash.prototype, "constructor", { value: createHash, writable: true, configurable: true });
  defineProperty(Hmac.prototype, "constructor", { value: createHmac, writable: true, configurable: true });
  defineProperty(Hash.prototype, Symbol.toStringTag, { value: "Hash", configurable: true });
  defineProperty(Hmac.prototype, Symbol.toStringTag, { value: "Hmac", configurable: true });

  return Object.freeze({ createHash, createHmac });
})
