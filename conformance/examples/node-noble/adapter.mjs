#!/usr/bin/env node
// A medshare conformance adapter in JavaScript over @noble/curves: the group layer (group.*).
//
// Written from conformance/OPS.md (the operation contract), conformance/README.md (the adapter protocol) and
// spec/group.md (encodings, strict decoding, the canonical pairing, hashing). noble does the field and curve
// arithmetic, the pairing and RFC 9380 hashing to the curves; the strict decoders, the encodings and the
// rules medshare adds to the libraries (README.md here) are written out below.
//
// Protocol: one JSON request per line on stdin, one JSON reply per line on stdout, nothing else on stdout.

import { createInterface } from 'node:readline';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { sha256 } from '@noble/hashes/sha2';

const SPEC_VERSION = 'medshare-spec-0.1';
const { Fp, Fp2, Fp12 } = bls.fields;
const P = Fp.ORDER; // the base field modulus p
const R = bls.fields.Fr.ORDER; // the group order r
const HALF_P = (P - 1n) / 2n;
const G1 = bls.G1.ProjectivePoint;
const G2 = bls.G2.ProjectivePoint;

// Typed errors: the reply's error code (spec/errors.md).
class Reject extends Error {
  constructor(code, message = code) {
    super(message);
    this.code = code;
  }
}
const reject = (code, message) => {
  throw new Reject(code, message);
};

// JSON fields (OPS.md: BAD_JSON for a missing or mistyped field, BAD_HEX for anything but 0x + lowercase hex).
const HEX = /^0x(?:[0-9a-f]{2})*$/;
function field(input, key) {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !(key in input)) {
    reject('BAD_JSON', `missing field ${key}`);
  }
  return input[key];
}
function hexBytes(value) {
  if (typeof value !== 'string' || !HEX.test(value)) reject('BAD_HEX', 'expected 0x-prefixed lowercase hex');
  return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
}
function hexField(input, key) {
  const value = field(input, key);
  if (typeof value !== 'string') reject('BAD_JSON', `${key} must be a string`); // OPS.md: "not a string: BAD_JSON"
  return hexBytes(value);
}
function listField(input, key) {
  const value = field(input, key);
  if (!Array.isArray(value)) reject('BAD_JSON', `${key} must be a list`);
  return value;
}
function flag(input, key) {
  if (input === null || typeof input !== 'object' || !(key in input)) return true; // the default
  if (typeof input[key] !== 'boolean') reject('BAD_JSON', `${key} must be a boolean`);
  return input[key];
}
function intField(input, key) {
  const value = field(input, key);
  if (!Number.isSafeInteger(value)) reject('BAD_JSON', `${key} must be an integer`);
  return value;
}

// Big-endian integers.
const toInt = (bytes) => (bytes.length ? BigInt('0x' + Buffer.from(bytes).toString('hex')) : 0n);
function toBytes(n, length) {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(2 * length, '0'), 'hex'));
}
const hex = (bytes) => '0x' + Buffer.from(bytes).toString('hex');
const concat = (...parts) => Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p))));

// Square roots that say "none" instead of throwing (Euler's criterion; in Fp2, a is a square iff its norm is).
const isSquareFp = (a) => a === 0n || Fp.pow(a, HALF_P) === 1n;
const isSquareFp2 = (a) => isSquareFp(Fp.add(Fp.sqr(a.c0), Fp.sqr(a.c1)));

// Strict decoding (spec/group.md, "Strict decoding"): the first check that fails names the code.
function flags(bytes, length) {
  if (bytes.length !== length) reject('BAD_LENGTH', `expected ${length} bytes, got ${bytes.length}`);
  const c = (bytes[0] & 0x80) !== 0, i = (bytes[0] & 0x40) !== 0, s = (bytes[0] & 0x20) !== 0;
  if (!c) reject('BAD_FLAGS', 'only compressed points are accepted');
  if (i && (s || (bytes[0] & 0x1f) !== 0 || bytes.subarray(1).some((b) => b !== 0))) {
    reject('BAD_FLAGS', 'the identity is 0xc0 followed by zeros');
  }
  const x = bytes.slice();
  x[0] &= 0x1f;
  return { identity: i, sign: s, x };
}

function decodeG1(bytes, allowIdentity = true) {
  const f = flags(bytes, 48);
  if (f.identity) {
    if (!allowIdentity) reject('IDENTITY_NOT_ALLOWED');
    return G1.ZERO;
  }
  const x = toInt(f.x);
  if (x >= P) reject('COORDINATE_NOT_CANONICAL', 'x >= p');
  const y2 = Fp.add(Fp.mul(Fp.sqr(x), x), 4n); // y^2 = x^3 + 4
  if (!isSquareFp(y2)) reject('POINT_NOT_ON_CURVE');
  let y = Fp.sqrt(y2);
  if ((y > HALF_P) !== f.sign) y = Fp.neg(y);
  const point = G1.fromAffine({ x, y });
  if (!point.isTorsionFree()) reject('POINT_NOT_IN_SUBGROUP');
  return point;
}

const B2 = Fp2.mul(Fp2.fromBigTuple([1n, 1n]), 4n); // 4(1 + u)
const g2Sign = (y) => (y.c1 !== 0n ? y.c1 > HALF_P : y.c0 > HALF_P);

function decodeG2(bytes, allowIdentity = true) {
  const f = flags(bytes, 96);
  if (f.identity) {
    if (!allowIdentity) reject('IDENTITY_NOT_ALLOWED');
    return G2.ZERO;
  }
  const x1 = toInt(f.x.subarray(0, 48)), x0 = toInt(f.x.subarray(48));
  if (x0 >= P || x1 >= P) reject('COORDINATE_NOT_CANONICAL', 'a word of x is >= p');
  const x = Fp2.fromBigTuple([x0, x1]);
  const y2 = Fp2.add(Fp2.mul(Fp2.sqr(x), x), B2);
  if (!isSquareFp2(y2)) reject('POINT_NOT_ON_CURVE');
  let y = Fp2.sqrt(y2);
  if (g2Sign(y) !== f.sign) y = Fp2.neg(y);
  const point = G2.fromAffine({ x, y });
  if (!point.isTorsionFree()) reject('POINT_NOT_IN_SUBGROUP');
  return point;
}

function decodeZr(bytes, allowZero = true) {
  if (bytes.length !== 32) reject('BAD_LENGTH', `expected 32 bytes, got ${bytes.length}`);
  const k = toInt(bytes);
  if (k >= R) reject('SCALAR_OUT_OF_RANGE', 'a scalar is below r; it is never reduced');
  if (k === 0n && !allowZero) reject('SCALAR_ZERO_NOT_ALLOWED');
  return k;
}

// GT: 12 Fp coefficients in the tower order c000 c001 c010 c011 c020 c021 c100 … c121 (spec/group.md).
function decodeGT(bytes) {
  if (bytes.length !== 576) reject('BAD_LENGTH', `expected 576 bytes, got ${bytes.length}`);
  const c = [];
  for (let i = 0; i < 12; i++) {
    const v = toInt(bytes.subarray(48 * i, 48 * (i + 1)));
    if (v >= P) reject('COORDINATE_NOT_CANONICAL', 'a GT coefficient is >= p');
    c.push(v);
  }
  const fp2 = (i) => ({ c0: c[i], c1: c[i + 1] });
  const fp6 = (i) => ({ c0: fp2(i), c1: fp2(i + 2), c2: fp2(i + 4) });
  const e = { c0: fp6(0), c1: fp6(6) };
  if (Fp12.eql(e, Fp12.ZERO) || !Fp12.eql(Fp12.pow(e, R), Fp12.ONE)) reject('GT_NOT_IN_SUBGROUP');
  return e;
}

// Encodings.
function encodeG1(point) {
  if (point.is0()) return concat([0xc0], new Uint8Array(47));
  const { x, y } = point.toAffine();
  const out = toBytes(x, 48);
  out[0] |= 0x80 | (y > HALF_P ? 0x20 : 0);
  return out;
}
function encodeG2(point) {
  if (point.is0()) return concat([0xc0], new Uint8Array(95));
  const { x, y } = point.toAffine();
  const out = concat(toBytes(x.c1, 48), toBytes(x.c0, 48));
  out[0] |= 0x80 | (g2Sign(y) ? 0x20 : 0);
  return out;
}
function encodeGT(e) {
  const parts = [];
  for (const c6 of [e.c0, e.c1]) for (const c2 of [c6.c0, c6.c1, c6.c2]) parts.push(toBytes(c2.c0, 48), toBytes(c2.c1, 48));
  return concat(...parts);
}

// Hashing (spec/group.md, "Hashing"): medshare refuses long or empty tags instead of hashing them.
function checkDst(dst) {
  if (dst.length < 1 || dst.length > 255) reject('DST_INVALID', `the DST has ${dst.length} bytes`);
}
function expand(msg, dst, length) {
  checkDst(dst);
  if (length < 1 || length > 8160) reject('HASH_LENGTH_INVALID', `lenInBytes ${length}`);
  return expandMessageXmd(msg, dst, length);
}

// RFC 9380 §5.3.1 with SHA-256. Written out because noble's expand_message_xmd (1.9.7) computes one block more
// than it returns, so it fails for 8128 < lenInBytes <= 8160 (ell = 255), which the RFC allows (README.md).
function expandMessageXmd(msg, dst, length) {
  const ell = Math.ceil(length / 32);
  const dstPrime = concat(dst, [dst.length]);
  const b0 = sha256(concat(new Uint8Array(64), msg, [length >> 8, length & 0xff], [0], dstPrime));
  const blocks = [sha256(concat(b0, [1], dstPrime))];
  for (let i = 2; i <= ell; i++) {
    const prev = blocks[blocks.length - 1];
    blocks.push(sha256(concat(b0.map((byte, j) => byte ^ prev[j]), [i], dstPrime)));
  }
  return concat(...blocks).subarray(0, length);
}
function hashToZr(msg, dst) {
  return toInt(expand(msg, dst, 48)) % R; // hash_to_field into F_r: m = 1, L = 48, count 1
}

// The pairing: noble's reduced optimal-ate pairing is medshare's canonical value (spec/group.md); a pair with
// the identity contributes 1.
function pairingProduct(pairs) {
  let acc = Fp12.ONE;
  for (const [p, q] of pairs) if (!p.is0() && !q.is0()) acc = Fp12.mul(acc, bls.pairing(p, q));
  return acc;
}

function msm(points, scalars, zero) {
  if (points.length !== scalars.length) reject('MSM_LENGTH_MISMATCH', 'as many scalars as points');
  return points.reduce((acc, p, i) => (scalars[i] === 0n ? acc : acc.add(p.multiply(scalars[i]))), zero);
}
const mul = (point, k) => (k === 0n ? point.multiplyUnsafe(0n) : point.multiply(k));

function pairsOf(input) {
  return listField(input, 'pairs').map((item) => [decodeG1(hexField(item, 'p')), decodeG2(hexField(item, 'q'))]);
}

function pointOps(name, decode, encode, zero) {
  return {
    [`group.${name}.decode`]: (inp) => {
      const p = decode(hexField(inp, 'bytes'), flag(inp, 'allowIdentity'));
      return { point: hex(encode(p)), identity: p.is0() };
    },
    [`group.${name}.add`]: (inp) => {
      const a = decode(hexField(inp, 'a'));
      const b = decode(hexField(inp, 'b'));
      return { point: hex(encode(a.add(b))) };
    },
    [`group.${name}.mul`]: (inp) => {
      const p = decode(hexField(inp, 'point'));
      return { point: hex(encode(mul(p, decodeZr(hexField(inp, 'scalar'))))) };
    },
    [`group.${name}.msm`]: (inp) => {
      const points = listField(inp, 'points').map((v) => decode(hexBytes(v)));
      const scalars = listField(inp, 'scalars').map((v) => decodeZr(hexBytes(v)));
      return { point: hex(encode(msm(points, scalars, zero))) };
    },
  };
}

const OPS = {
  ...pointOps('g1', decodeG1, encodeG1, G1.ZERO),
  ...pointOps('g2', decodeG2, encodeG2, G2.ZERO),
  'group.zr.decode': (inp) => ({ scalar: hex(toBytes(decodeZr(hexField(inp, 'bytes'), flag(inp, 'allowZero')), 32)) }),
  'group.gt.decode': (inp) => {
    const e = decodeGT(hexField(inp, 'bytes'));
    return { element: hex(encodeGT(e)), isOne: Fp12.eql(e, Fp12.ONE) };
  },
  'group.hash.expand_message_xmd': (inp) => {
    const msg = hexField(inp, 'msg'), dst = hexField(inp, 'dst');
    return { uniformBytes: hex(expand(msg, dst, intField(inp, 'lenInBytes'))) };
  },
  'group.hash.hash_to_g1': (inp) => {
    const msg = hexField(inp, 'msg'), dst = hexField(inp, 'dst');
    checkDst(dst);
    return { point: hex(encodeG1(bls.G1.hashToCurve(msg, { DST: dst }))) };
  },
  'group.hash.hash_to_g2': (inp) => {
    const msg = hexField(inp, 'msg'), dst = hexField(inp, 'dst');
    checkDst(dst);
    return { point: hex(encodeG2(bls.G2.hashToCurve(msg, { DST: dst }))) };
  },
  'group.hash.hash_to_zr': (inp) => {
    const msg = hexField(inp, 'msg'), dst = hexField(inp, 'dst');
    return { scalar: hex(toBytes(hashToZr(msg, dst), 32)) };
  },
  'group.pairing.pair': (inp) => {
    const p = decodeG1(hexField(inp, 'p')), q = decodeG2(hexField(inp, 'q'));
    return { gt: hex(encodeGT(pairingProduct([[p, q]]))) };
  },
  'group.pairing.multi_pairing': (inp) => ({ gt: hex(encodeGT(pairingProduct(pairsOf(inp)))) }),
  'group.pairing.pairing_check': (inp) => ({ result: Fp12.eql(pairingProduct(pairsOf(inp)), Fp12.ONE) }),
};

function answer(request) {
  const id = request && typeof request === 'object' ? request.id ?? null : null;
  if (!request || typeof request !== 'object' || typeof request.op !== 'string') {
    return { id, ok: false, error: 'ADAPTER_PROTOCOL' };
  }
  if (request.op === 'hello') {
    return { id, ok: true, output: { ops: Object.keys(OPS).sort(), specVersion: SPEC_VERSION,
                                     implementation: 'node-noble (@noble/curves)' } };
  }
  const handler = OPS[request.op];
  if (!handler) return { id, ok: false, error: 'UNSUPPORTED_OP' };
  try {
    return { id, ok: true, output: handler(request.input ?? {}) };
  } catch (e) {
    if (e instanceof Reject) return { id, ok: false, error: e.code, message: e.message };
    return { id, ok: false, error: 'INTERNAL', message: String(e && e.message ? e.message : e) };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    request = null;
  }
  process.stdout.write(JSON.stringify(answer(request)) + '\n');
});
