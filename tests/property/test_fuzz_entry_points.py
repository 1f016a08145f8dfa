"""Fuzzing every entry point that reads input (docs/design.md §4–§5: bad input never escapes as a bare exception).

Each target takes real files and requests — the committed conformance vectors, the adapter requests made from
them, snarkjs JSON and circom ``.r1cs``/``.wtns`` files of a small circuit, policy texts, command lines — and
mutates them with Hypothesis, both with the structure in mind (a JSON value replaced by one of another type, a
hex string with a newline or a space after ``0x``, a decimal in other digits, a binfile header field set to
2^32 − 1) and byte by byte (flips, insertions, deletions, truncation, splices). Every input must end in a
result or a ``MedshareError`` (for the command line: an exit status below 4 and no traceback; for the adapter:
a reply that is not ``INTERNAL``), within :data:`HANG_SECONDS` and with the process's peak memory below
:data:`MAX_RSS_BYTES`.

Profiles (tests/conftest.py): ``ci`` runs a bounded, derandomised slice; ``thorough`` runs 2,000 inputs per
target. ``MEDSHARE_FUZZ_EXAMPLES=N`` sets the inputs per target for a long campaign, and
``MEDSHARE_FUZZ_STATS=FILE`` appends, per target, the inputs run, the slowest input and the peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medshare.conformance import adapter, runner
from medshare.reference.testbed import get_group
from medshare.spec import jsonio, policy
from medshare.spec.errors import MedshareError
from medshare.spec.params import R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import ceremony, formats, groth16
from medshare.spec.zk.r1cs import Circuit
from typer.testing import CliRunner

from medshare import cli

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "conformance" / "vectors"
TRACES = ROOT / "models" / "traces"
#: an input running longer than this is a hang
HANG_SECONDS = 10.0
#: the process's peak resident memory must stay below this
MAX_RSS_BYTES = 1 << 30

_EXAMPLES = os.environ.get("MEDSHARE_FUZZ_EXAMPLES")
FUZZ = settings(suppress_health_check=list(HealthCheck), deadline=None,
                **({"max_examples": int(_EXAMPLES)} if _EXAMPLES else {}))


# Measuring every input ---------------------------------------------------------------------------------------
class Hang(Exception):
    """An input ran past HANG_SECONDS."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise Hang(f"an input ran longer than {HANG_SECONDS} s")


STATS: dict[str, dict[str, Any]] = {}


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def run_input(target: str, call: Callable[[], str]) -> None:
    """Run one input under the hang watchdog; record its outcome (a code, ``ok`` or an exit status), its time
    and the memory high-water mark."""
    stats = STATS.setdefault(target, {"target": target, "inputs": 0, "slowest_s": 0.0, "peak_rss_mib": 0.0,
                                      "largest_rss_rise_mib": 0.0, "outcomes": {}})
    before = _peak_rss()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    t0 = time.perf_counter()
    outcome = "unfinished"
    try:
        outcome = call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        elapsed, after = time.perf_counter() - t0, _peak_rss()
        stats["inputs"] += 1
        stats["outcomes"][outcome] = stats["outcomes"].get(outcome, 0) + 1
        stats["slowest_s"] = round(max(stats["slowest_s"], elapsed), 3)
        stats["peak_rss_mib"] = round(after / 2 ** 20, 1)
        stats["largest_rss_rise_mib"] = round(max(stats["largest_rss_rise_mib"], (after - before) / 2 ** 20), 1)
    assert after < MAX_RSS_BYTES, f"peak memory {after / 2 ** 20:.0f} MiB"


@pytest.fixture(scope="module", autouse=True)
def _write_stats() -> Iterator[None]:
    yield
    path = os.environ.get("MEDSHARE_FUZZ_STATS")
    if path:
        with open(path, "a") as f:
            for s in STATS.values():
                f.write(json.dumps(s) + "\n")


def typed(call: Callable[[], Any]) -> Callable[[], str]:
    """``call`` must return (outcome ``ok``) or raise a MedshareError that is not INTERNAL (outcome: its code)."""

    def run() -> str:
        try:
            call()
        except MedshareError as e:
            assert e.code != "INTERNAL", e.message
            return e.code
        return "ok"

    return run


# Mutations -----------------------------------------------------------------------------------------------------
INTERESTING_INTS = [0, 1, 2, 3, 31, 32, 33, 48, 96, 255, 256, 2 ** 16 - 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
                    2 ** 63, 2 ** 64 - 1, 2 ** 64, R - 1, R, 10 ** 22, -1, -(2 ** 63)]
INTERESTING_STRINGS = ["", "0x", "0x0", "0X00", "0x00\n", "0x 00", "0x00 ", " 0x00", "0xzz", "0xAB", "00", "\u0663",
                       "\u00b2", "\uff11", "1" * 5000, "9" * 80, "007", "-1", "1e3", "1.0", "\x00", "\ud7ff\ue000",
                       "and@1", "a" * 70, "[/red]", "%s%n", "../../etc/passwd", "\u202e", "0x" + "00" * 32 + "\n"]


def _deep(n: int) -> Any:
    out: Any = 0
    for _ in range(n):
        out = [out]
    return out


INTERESTING_JSON: list[Any] = [None, True, False, 1.5, -0.0, 1e308, [], {}, [[]], {"": None}, _deep(70), _deep(20),
                               *INTERESTING_INTS, *INTERESTING_STRINGS]


def _paths(doc: Any, limit: int = 4000) -> list[tuple[Any, ...]]:
    """Paths to the nodes of a JSON document, breadth first (at most ``limit``)."""
    out: list[tuple[Any, ...]] = [()]
    i = 0
    while i < len(out) and len(out) < limit:
        node = _get(doc, out[i])
        if isinstance(node, dict):
            out.extend((*out[i], k) for k in node)
        elif isinstance(node, list):
            out.extend((*out[i], k) for k in range(len(node)))
        i += 1
    return out[:limit]


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _mutate_value(data: st.DataObject, value: Any) -> Any:
    kind = data.draw(st.sampled_from(["interesting", "hex", "number", "string", "container", "drop_or_grow"]))
    if kind == "hex" and isinstance(value, str) and value.startswith("0x"):
        digits = value[2:]
        op = data.draw(st.sampled_from(["newline", "space", "upper", "odd", "bad_char", "truncate", "extend",
                                        "flip", "no_prefix"]))
        pos = data.draw(st.integers(0, max(len(digits) - 1, 0)))
        if op == "newline":
            return value + "\n"
        if op == "space":
            return "0x " + digits
        if op == "upper":
            return value.upper()
        if op == "odd":
            return value[:-1]
        if op == "bad_char":
            return "0x" + digits[:pos] + data.draw(st.sampled_from("gGA \t\u0663\uff10-")) + digits[pos + 1:]
        if op == "truncate":
            return "0x" + digits[:pos - pos % 2]
        if op == "extend":
            return value + data.draw(st.sampled_from(["00", "ff", digits[:64]]))
        if op == "flip" and digits and digits[pos] in "0123456789abcdefABCDEF":
            nibble = int(digits[pos], 16) ^ data.draw(st.integers(1, 15))
            return "0x" + digits[:pos] + f"{nibble:x}" + digits[pos + 1:]
        return digits
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return data.draw(st.sampled_from([value + 1, value - 1, -value, value * 2 ** 64, value ^ 1, str(value),
                                          float(value) if abs(value) < 2 ** 53 else value, *INTERESTING_INTS]))
    if kind == "string" and isinstance(value, str):
        return data.draw(st.one_of(st.text(max_size=40), st.sampled_from(INTERESTING_STRINGS),
                                   st.just(value + data.draw(st.sampled_from(["\n", " ", "\x00", "\u0663"])))))
    if kind == "container" and isinstance(value, (list, dict)):
        return data.draw(st.sampled_from([[value], {"x": value}, [], {}, value, json.dumps(value)[:200]]))
    if kind == "drop_or_grow" and isinstance(value, list) and value:
        i = data.draw(st.integers(0, len(value) - 1))
        return data.draw(st.sampled_from([value[:i] + value[i + 1:], value + [value[i]] * 3, value[::-1]]))
    if kind == "drop_or_grow" and isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        grown = {**value, data.draw(st.sampled_from(["extra", key + "_", "", "\u0000"])): value[key]}
        return data.draw(st.sampled_from([{k: v for k, v in value.items() if k != key}, grown]))
    return data.draw(st.one_of(st.sampled_from(INTERESTING_JSON),
                               st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                                            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4),
                                                                                                c, max_size=3),
                                            max_leaves=6)))


def mutate_json(data: st.DataObject, doc: Any, max_mutations: int = 3) -> Any:
    """``doc`` with one to ``max_mutations`` of its nodes replaced by a mutated value."""
    doc = json.loads(json.dumps(doc))
    for _ in range(data.draw(st.integers(1, max_mutations))):
        paths = _paths(doc)
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        new = json.loads(json.dumps(_mutate_value(data, _get(doc, path))))  # never share INTERESTING_JSON's lists
        if not path:
            doc = new
        else:
            _get(doc, path[:-1])[path[-1]] = new
    return doc


def mutate_bytes(data: st.DataObject, blob: bytes, max_mutations: int = 4, splice: bytes = b"") -> bytes:
    """``blob`` with one to ``max_mutations`` byte-level changes."""
    out = bytearray(blob)
    for _ in range(data.draw(st.integers(1, max_mutations))):
        op = data.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate", "splice",
                                        "int"]))
        pos = data.draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "flip" and out:
            out[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set" and out:
            out[pos] = data.draw(st.sampled_from([0, 0xFF, 0x7F, 0x80, ord("\n"), ord('"'), ord("["), ord("{"),
                                                  ord("\\"), ord("0"), ord(" ")]))
        elif op == "insert":
            out[pos:pos] = data.draw(st.sampled_from([b"\n", b"\x00", b"[", b'"', b"\\u0663", b"0x ", b"\xff\xfe",
                                                      b"e999", b"-", b",", b"}"]))
        elif op == "delete":
            del out[pos:pos + data.draw(st.integers(1, 16))]
        elif op == "truncate":
            del out[pos:]
        elif op == "duplicate":
            n = data.draw(st.integers(1, 64))
            out[pos:pos] = out[pos:pos + n]
        elif op == "splice" and splice:
            start = data.draw(st.integers(0, len(splice) - 1))
            out[pos:pos + 8] = splice[start:start + 8]
        elif op == "int":
            width = data.draw(st.sampled_from([4, 8]))
            value = data.draw(st.sampled_from([v for v in INTERESTING_INTS if 0 <= v < 2 ** (8 * width)]))
            out[pos:pos + width] = value.to_bytes(width, "little")
    return bytes(out)


# Target: the reference adapter's request lines ------------------------------------------------------------------
@cache
def _ops() -> dict[str, Any]:
    return adapter.load_handlers()


@cache
def _requests() -> list[dict[str, Any]]:
    """Up to three requests per operation from the committed suite (the smallest ones), as the runner sends them."""
    by_op: dict[str, list[dict[str, Any]]] = {}
    for case in runner.load_suite(VECTORS):
        by_op.setdefault(case.op, []).append({"id": case.tc_id, "op": case.op, "input": case.request})
    out = []
    for op in sorted(by_op):
        out.extend(sorted(by_op[op], key=lambda r: len(json.dumps(r)))[:3])
    return out


@cache
def _sites() -> list[tuple[dict[str, Any], tuple[Any, ...]]]:
    """(request, path) for every field inside the input of every request."""
    return [(r, path) for r in _requests() for path in _paths(r["input"]) if path]


def _adapter_line(line: bytes) -> str:
    reply = adapter.reply_to(_ops(), line, "fuzz")
    json.dumps(reply, allow_nan=False)
    assert reply.get("error") != "INTERNAL", reply
    return "ok" if reply["ok"] else str(reply["error"])


@FUZZ
@given(st.data())
def test_fuzz_adapter_requests(data: st.DataObject) -> None:
    how = data.draw(st.sampled_from(["site", "site", "input", "request", "bytes"]))
    request = data.draw(st.sampled_from(_requests()))
    if how == "site":  # one field of the input, chosen uniformly over every field of every request, then more
        request, path = data.draw(st.sampled_from(_sites()))
        inp = json.loads(json.dumps(request["input"]))
        _get(inp, path[:-1])[path[-1]] = json.loads(json.dumps(_mutate_value(data, _get(inp, path))))
        if data.draw(st.booleans()):
            inp = mutate_json(data, inp, max_mutations=2)
        line = json.dumps({**request, "input": inp}).encode()
    elif how == "input":
        line = json.dumps({**request, "input": mutate_json(data, request["input"])}).encode()
    elif how == "request":
        line = json.dumps(mutate_json(data, request)).encode()
    else:
        line = mutate_bytes(data, json.dumps(request).encode())
    run_input("adapter request lines", lambda: _adapter_line(line))


#: values of every JSON type, each put in place of every field of every request by the sweep
TYPE_CONFUSION: list[Any] = [None, True, 0, -1, 2 ** 64, 10 ** 22, 1.5, "", "x", "\u0663", [], {}, [None],
                             {"x": None}]


def _hex_near_misses(value: str) -> list[str]:
    """Strings a strict ``0x`` hex reader must refuse, made from the hex string ``value``."""
    out = [value + "\n", "0x " + value[2:], value[2:], value + "0", " " + value]
    if any(c in "abcdef" for c in value[2:]):
        out.append(value.upper())
    return out


def _sweep_inputs() -> Iterator[tuple[dict[str, Any], tuple[Any, ...] | None]]:
    """(request, path of a near-miss hex string or None): every field of every request replaced by each
    TYPE_CONFUSION value, and every hex string by each of its near misses (which no operation may accept)."""
    for request in _requests():
        for path in _paths(request["input"]):
            if not path:
                continue
            value = _get(request["input"], path)
            variants: list[tuple[Any, tuple[Any, ...] | None]] = [(v, None) for v in TYPE_CONFUSION]
            if isinstance(value, str) and value.startswith("0x") and all(c in "0123456789abcdef" for c in value[2:]):
                variants += [(v, path) for v in _hex_near_misses(value)]
            for new, strict in variants:
                inp = json.loads(json.dumps(request["input"]))
                _get(inp, path[:-1])[path[-1]] = new
                yield {**request, "input": inp}, strict


def _accepted(request: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether the reply to ``request`` accepts the field at ``path`` of its input (in a trace: its step)."""
    reply = adapter.reply_to(_ops(), json.dumps(request).encode(), "fuzz")
    assert reply.get("error") != "INTERNAL", reply
    if not reply["ok"]:
        return False
    steps = reply["output"].get("steps") if isinstance(reply["output"], dict) else None
    return not (steps is not None and path[0] == "steps" and steps[path[1]]["result"] == "invalid")


def _sweep_one(request: dict[str, Any], near_miss: tuple[Any, ...] | None) -> str:
    """One sweep input; a near-miss hex string in a field the operation reads (one whose removal it refuses)
    must make its request fail, or (in a trace) its step."""
    reply = adapter.reply_to(_ops(), json.dumps(request).encode(), "fuzz")
    assert reply.get("error") != "INTERNAL", reply
    if near_miss is not None and _accepted(request, near_miss):
        without = json.loads(json.dumps(request))
        parent = _get(without["input"], near_miss[:-1])
        del parent[near_miss[-1]]
        unread = isinstance(parent, dict) and _accepted(without, near_miss)
        assert unread, f"{request['op']}: a malformed hex string at {near_miss} was accepted"
    return "ok" if reply["ok"] else str(reply["error"])


def test_sweep_adapter_requests() -> None:
    """Every field of every request, type-confused or (hex) near-missed: typed refusals, never INTERNAL, and no
    near-miss hex accepted. The whole sweep runs under ``thorough`` or a campaign; otherwise every 40th input."""
    step = 1 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" or _EXAMPLES else 40
    failures: dict[str, str] = {}
    for i, (request, strict) in enumerate(_sweep_inputs()):
        if i % step == 0:
            try:
                run_input("adapter request sweep", lambda r=request, s=strict: _sweep_one(r, s))
            except (AssertionError, Hang) as e:  # keep sweeping: report every distinct failure at the end
                failures.setdefault(f"{request['op']}: {str(e)[:300]}", json.dumps(request)[:2000])
    assert not failures, "\n".join(failures)


def test_adapter_survives_a_hostile_stream() -> None:
    """Over-long, deep, non-UTF-8 and non-object lines each get a reply; the adapter keeps serving."""
    import io

    hello = b'{"id": 9, "op": "hello"}\n'
    stream = b"".join([b"x" * (adapter.MAX_REQUEST_BYTES + 10) + b"\n", b"[" * 100000 + b"\n", b"\xff\xfe\n",
                       b"[1, 2]\n", b'{"id": 1, "op": "group.g1.decode", "input": []}\n', b"1" * 5000 + b"\n",
                       b'{"id": 2, "op": "group.g1.decode", "input": {"bytes": "0x00\\n"}}\n', hello])
    out = io.BytesIO()
    adapter.serve(_ops(), io.BytesIO(stream), out, "fuzz")
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("error") for r in replies] == ["INPUT_TOO_LARGE", "INPUT_TOO_LARGE", "ADAPTER_PROTOCOL",
                                                 "ADAPTER_PROTOCOL", "BAD_JSON", "INPUT_TOO_LARGE", "BAD_HEX", None]
    assert replies[-1]["id"] == 9 and replies[-1]["ok"] is True


# Target: vector files through the suite loader --------------------------------------------------------------------
@cache
def _vector_files() -> list[tuple[str, bytes]]:
    files = sorted(VECTORS.glob("*/*.json"), key=lambda p: p.stat().st_size)[:12]
    return [(p.relative_to(VECTORS).as_posix(), p.read_bytes()) for p in files]


_SUITE = Path(tempfile.mkdtemp(prefix="medshare-fuzz-suite-"))


@FUZZ
@given(st.data())
def test_fuzz_vector_files(data: st.DataObject) -> None:
    rel, blob = data.draw(st.sampled_from(_vector_files()))
    if data.draw(st.booleans()):
        blob = json.dumps(mutate_json(data, json.loads(blob))).encode()
    else:
        blob = mutate_bytes(data, blob, splice=_vector_files()[0][1])
    for old in _SUITE.glob("*/*.json"):
        old.unlink()
    target = _SUITE / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(blob)
    run_input("vector files", typed(lambda: runner.load_suite(_SUITE)))


# Target: snarkjs JSON and circom binfiles of a small circuit --------------------------------------------------------
@cache
def _circuit() -> dict[str, Any]:
    group = get_group("native")
    c = Circuit()
    x, y = c.public(3), c.private(5)
    s = c.mul(x, y)
    c.assert_equal(c.mul(s, s), 225)
    r1cs = c.to_r1cs()
    pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"fuzz"))
    z = c.witness()
    proof = groth16.prove(group, pk, z, DeterministicRNG(b"fuzz-proof"))
    # a ceremony's key: delta = gamma = 1 as snarkjs's setup leaves it, then one phase-2 contribution
    start = attrs.evolve(groth16.derive_trapdoor(group, r1cs, DeterministicRNG(b"fuzz")), gamma=1, delta=1)
    key = formats.zkey_from_snarkjs(group, formats.zkey_to_snarkjs(group, groth16.setup_with_trapdoor(
        group, r1cs, start)), r1cs)
    key, _ = ceremony.contribute(group, key, DeterministicRNG(b"fuzz-contribution"), "fuzz")
    zkey = formats.zkey_to_snarkjs(group, key)
    ceremony.import_key(group, zkey, r1cs)
    return {"group": group, "vk": formats.vk_to_snarkjs(pk.vk), "proof": formats.proof_to_snarkjs(proof),
            "public": formats.public_to_snarkjs(r1cs.public_inputs(z)), "r1cs": formats.r1cs_to_circom(r1cs),
            "wtns": formats.wtns_to_snarkjs(z), "system": r1cs, "zkey": zkey}


def _decimal_mutation(data: st.DataObject, doc: Any) -> Any:
    """Replace one decimal string of a snarkjs document with a near miss."""
    doc = json.loads(json.dumps(doc))
    paths = [p for p in _paths(doc) if isinstance(_get(doc, p), str) and _get(doc, p).isdigit()]
    if not paths:
        return doc
    path = data.draw(st.sampled_from(paths))
    value = _get(doc, path)
    new = data.draw(st.sampled_from([
        value.translate(str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")),
        value + "\u00b2", "\u00b2", "0" + value, "-" + value, value + ".0", " " + value, value + "\n", "1" * 5000,
        value * 3, str(int(value) + 1), str(int(value) + formats.P if len(value) > 1 else 1), "", "+1",
        value.translate(str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"))]))
    _get(doc, path[:-1])[path[-1]] = new
    return doc


def _snarkjs(vk: bytes, proof: bytes, public: bytes) -> None:
    group = _circuit()["group"]
    v = formats.vk_from_snarkjs(group, jsonio.loads(vk))
    p = formats.proof_from_snarkjs(group, jsonio.loads(proof))
    s = formats.public_from_snarkjs(jsonio.loads(public))
    groth16.verify(group, v, s, p)


@FUZZ
@given(st.data())
def test_fuzz_snarkjs_json(data: st.DataObject) -> None:
    c = _circuit()
    docs = {k: c[k] for k in ("vk", "proof", "public")}
    which = data.draw(st.sampled_from(sorted(docs)))
    how = data.draw(st.sampled_from(["decimal", "json", "bytes"]))
    blobs = {k: json.dumps(v).encode() for k, v in docs.items()}
    if how == "decimal":
        blobs[which] = json.dumps(_decimal_mutation(data, docs[which])).encode()
    elif how == "json":
        blobs[which] = json.dumps(mutate_json(data, docs[which])).encode()
    else:
        blobs[which] = mutate_bytes(data, blobs[which])
    run_input("snarkjs JSON", typed(lambda: _snarkjs(blobs["vk"], blobs["proof"], blobs["public"])))


#: offsets of the u32/u64 header fields of the two binfiles written by formats (magic, version, sections, ...)
R1CS_FIELDS = [(4, 4), (8, 4), (12, 4), (16, 8), (24, 4), (60, 4), (64, 4), (68, 4), (72, 4), (76, 8), (84, 4),
               (88, 4), (92, 8), (100, 4), (104, 4)]
WTNS_FIELDS = [(4, 4), (8, 4), (12, 4), (16, 8), (24, 4), (60, 4), (64, 4), (68, 8)]


def _binfiles(r1cs: bytes, wtns: bytes) -> None:
    system = formats.r1cs_from_circom(r1cs)
    values = formats.wtns_from_snarkjs(wtns)
    system.check_witness(values)


@FUZZ
@given(st.data())
def test_fuzz_r1cs_and_wtns(data: st.DataObject) -> None:
    c = _circuit()
    files = {"r1cs": c["r1cs"], "wtns": c["wtns"]}
    which = data.draw(st.sampled_from(["r1cs", "wtns"]))
    blob = files[which]
    if data.draw(st.booleans()):  # a header field set to an extreme value
        fields = R1CS_FIELDS if which == "r1cs" else WTNS_FIELDS
        for _ in range(data.draw(st.integers(1, 3))):
            offset, width = data.draw(st.sampled_from(fields))
            value = data.draw(st.sampled_from([v for v in INTERESTING_INTS if 0 <= v < 2 ** (8 * width)]))
            blob = blob[:offset] + value.to_bytes(width, "little") + blob[offset + width:]
    else:
        blob = mutate_bytes(data, blob, splice=files["wtns" if which == "r1cs" else "r1cs"])
    files[which] = blob
    run_input(".r1cs and .wtns files", typed(lambda: _binfiles(files["r1cs"], files["wtns"])))


def _zkey(data: bytes) -> None:
    c = _circuit()
    key = ceremony.import_key(c["group"], data, c["system"])
    formats.zkey_to_snarkjs(c["group"], key)


@FUZZ
@given(st.data())
def test_fuzz_zkey_files(data: st.DataObject) -> None:
    """Proving keys (.zkey) as a ceremony hands them over: the strict import and the contribution chain."""
    c = _circuit()
    blob = mutate_bytes(data, c["zkey"], max_mutations=3, splice=c["r1cs"])
    run_input(".zkey files", typed(lambda: _zkey(blob)))


# Target: policy text -------------------------------------------------------------------------------------------------
_ATTRIBUTE = st.from_regex(r"[a-z][a-z0-9_]{0,6}(@[1-9][0-9]{0,2})?", fullmatch=True)


def _policy_text() -> st.SearchStrategy[str]:
    leaf = _ATTRIBUTE | st.sampled_from(["and@1", "or@2", "of", "a@0", "a@01", "A", "a b", "(", ")", ","])
    return st.recursive(leaf, lambda c: st.one_of(
        st.tuples(c, st.sampled_from([" and ", " or ", " AND ", "\u00a0and ", "\tor\n", " and"]), c).map("".join),
        st.tuples(st.sampled_from(["1", "2", "0", "01", "1000", "\u0662"]),
                  st.lists(c, min_size=1, max_size=4)).map(lambda t: f"{t[0]} of ({', '.join(t[1])})"),
        c.map(lambda s: f"({s})")), max_leaves=24)


def _policy(text: str) -> None:
    tree = policy.parse(text)
    canonical = policy.canonical(tree)
    policy.to_lsss(canonical)
    assert policy.parse(policy.canonical_text(canonical)) == canonical
    policy.satisfies(tree, policy.attributes_of(tree))


@FUZZ
@given(st.data())
def test_fuzz_policy_text(data: st.DataObject) -> None:
    text = data.draw(_policy_text())
    if data.draw(st.booleans()):
        raw = mutate_bytes(data, text.encode())
        text = raw.decode("utf-8", "replace")
    run_input("policy text", typed(lambda: _policy(text)))


# Target: command lines ------------------------------------------------------------------------------------------------
_SANDBOX = Path(tempfile.mkdtemp(prefix="medshare-fuzz-cli-"))


@cache
def _sandbox() -> dict[str, str]:
    """Paths a command line may name: missing, a directory, a file of garbage, a mutated trace and vector file,
    a path under a file, a name with markup and control characters."""
    (_SANDBOX / "dir").mkdir(exist_ok=True)
    (_SANDBOX / "garbage.json").write_bytes(b"\xff\x00[[[" * 100)
    (_SANDBOX / "empty.json").write_bytes(b"")
    traces = sorted(TRACES.glob("*.json"))
    if traces:
        (_SANDBOX / "trace.json").write_bytes(traces[0].read_bytes()[:-40])
    suite = _SANDBOX / "suite" / "group.zr"
    suite.mkdir(parents=True, exist_ok=True)
    (suite / "decode.json").write_bytes((VECTORS / "group.zr" / "decode.json").read_bytes().replace(b'"tcId": 1,',
                                                                                                  b'"tcId": "1",'))
    with sqlite3.connect(_SANDBOX / "ledger.db") as db:  # a database, but no ledger
        db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    return {name: name for name in ("missing", "dir", "garbage.json", "empty.json", "trace.json", "suite",
                                    "ledger.db", "garbage.json/sub", "[/red]\x1b[0m\n.json", "dir/out")}


def _option_value(data: st.DataObject) -> str:
    return data.draw(st.one_of(
        st.sampled_from([*_sandbox().values(), "-", "", "0", "1", "-1", str(2 ** 64), str(10 ** 22), "1e9", "nan",
                         "inf", "\u0663", "group", "group.g1,crypto", "all", "PBFT", "Sharing", "MCPBFT_small", "nope",
                         "spec", "mirror", "mdc", "shc", "N=3", "N<-Foo", "N={r1, r2}", "N=[/x]", "--json",
                         "--help"]),
        st.text(max_size=12)))


_COMMANDS: dict[str, list[str]] = {
    "demo": ["--seed", "--keep"], "verify": ["--stage"],
    "conform": ["--impl", "--suite", "--report", "--timeout", "--only", "--jobs", "--mutants", "--no-mutants",
                "--allow-partial"],
    "vectors generate": ["--out"],
    "check": ["--workers", "--distributed", "--trace-out", "--show-trace", "--no-show-trace", "--list"],
    "trace replay": ["--against", "--model", "--const"], "trace mbt": ["--traces", "--depth", "--seed", "--against"],
    "node check": ["--chain", "--seed", "--index"], "bench": ["--quick", "--plot", "--only"],
}
_FLAGS = {"--mutants", "--no-mutants", "--distributed", "--quick", "--allow-partial", "--show-trace",
          "--no-show-trace", "--list"}
#: commands with positional arguments: how many (at most) and whether one is required
_POSITIONAL = {"trace replay": (1, True), "node check": (1, True), "check": (1, False), "trace mbt": (2, False)}


class _Stubs:
    """The engines behind the commands, replaced by cheap stand-ins that keep their argument checks; nothing
    the fuzzer writes leaves the sandbox and no adapter or TLC process is started."""

    @staticmethod
    def conform(impl: Any, suite: Any, **kw: Any) -> dict[str, Any]:
        cases = runner.select(runner.load_suite(suite), kw.get("only"))
        return {"ok": True, "total": len(cases), "passed": len(cases), "failed": 0, "skipped": 0}

    @staticmethod
    def build_all() -> tuple[dict[str, bytes], dict[str, Any]]:
        return {"group.zr/decode.json": b"{}\n"}, {"totals": {"tests": 0, "invalid": 0}}

    @staticmethod
    def mbt_run(model: str, **kw: Any) -> dict[str, Any]:
        from medshare.models import mbt

        if model not in mbt.PLANS:
            raise MedshareError("MODEL_UNKNOWN", "no such plan")
        return {"ok": True, "traces": kw["traces"], "steps": 0, "distinct_states": 0, "longest": 0,
                "full_depth": 0, "tlc_seconds": 0, "replay_seconds": 0, "diverged": []}


@pytest.fixture(scope="module")
def stubbed() -> Iterator[None]:
    from medshare.conformance import generate
    from medshare.models import mbt
    from medshare.reference import bench
    from medshare.reference.protocol import demo, scenario

    from medshare import modelcheck, verify

    mp = pytest.MonkeyPatch()
    mp.setattr(verify, "STAGES", [(stage[0], *stage[1:-1], (lambda: "stub") if stage[-1] else None)
                                  for stage in verify.STAGES])
    mp.setattr(runner, "conform", _Stubs.conform)
    mp.setattr(runner, "print_report", lambda summary, console: None)
    mp.setattr(runner, "write_report", lambda summary, path: Path(path).write_text(""))
    mp.setattr(generate, "build_all", _Stubs.build_all)
    mp.setattr(generate, "DEFAULT_DIR", _SANDBOX / "vectors")  # never the committed suite
    mp.setattr(demo, "demo", lambda seed, console, keep=None: {"ok": True, "seed": seed})
    mp.setattr(mbt, "run", _Stubs.mbt_run)
    config = scenario.demo_chain_config(get_group("native"), 1, "MDC")  # seconds: the circuit keys, made once
    mp.setattr(scenario, "demo_chain_config", lambda group, seed, chain: config)
    stub = types.ModuleType("medshare_fuzz_bench_stub")
    stub.run = lambda quick: []  # type: ignore[attr-defined]
    mp.setitem(sys.modules, stub.__name__, stub)
    mp.setattr(bench, "GROUPS", {name: stub.__name__ for name in bench.GROUPS})
    mp.setattr(modelcheck.tlc, "find_java", lambda: (_ for _ in ()).throw(MedshareError("JAVA_NOT_FOUND")))
    mp.chdir(_SANDBOX)
    yield
    mp.undo()


def _command_line(data: st.DataObject) -> list[str]:
    command = data.draw(st.sampled_from([*sorted(_COMMANDS), "nope", ""]))
    argv = command.split()
    options = _COMMANDS.get(command, [])
    most, required = _POSITIONAL.get(command, (0, False))
    for _ in range(data.draw(st.integers(1 if required else 0, most))):
        argv.append(_option_value(data))
    for _ in range(data.draw(st.integers(0, 4))):
        option = data.draw(st.sampled_from([*options, "--json", "--bogus"])) if options else "--json"
        argv.append(option)
        if option not in _FLAGS:
            argv.append(_option_value(data))
    if data.draw(st.booleans()) and argv:  # one argument mutated character by character
        i = data.draw(st.integers(0, len(argv) - 1))
        argv[i] = mutate_bytes(data, argv[i].encode(), max_mutations=2).decode("utf-8", "replace")
    return [_inside_sandbox(a) for a in argv if "\x00" not in a]


def _inside_sandbox(arg: str) -> str:
    """Keep every path relative to the sandbox (the fuzzed commands write files): no absolute path, no ``..``."""
    arg = arg.replace("..", "__")
    return "./" + arg.lstrip("/") if arg.startswith("/") else arg


def _cli(argv: list[str]) -> str:
    result = CliRunner().invoke(cli.app, argv)
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (argv, result.exception)
    assert "Traceback" not in result.output, (argv, result.output)
    return f"exit {result.exit_code}"


@pytest.mark.usefixtures("stubbed")
@FUZZ
@given(st.data())
def test_fuzz_command_lines(data: st.DataObject) -> None:
    argv = _command_line(data)
    run_input("command lines", lambda: _cli(argv))
