"""The bounds of spec/errors.md ("Bounds"), each with its code: bounded JSON, ASCII decimals, circuit sizes,
strict hex in the adapter, policy keywords, scalars, chain integers."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest
from medshare.conformance import adapter
from medshare.spec import jsonio, policy
from medshare.spec.codec import from_hex, hex_problem, json_decimal
from medshare.spec.errors import MedshareError
from medshare.spec.group import Zr
from medshare.spec.params import P, R
from medshare.spec.zk import formats
from medshare.spec.zk.r1cs import MAX_WIRES, R1CS

VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"


def code_of(call: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(MedshareError) as e:
        call(*args, **kw)
    return e.value.code


# JSON text ---------------------------------------------------------------------------------------------------
def test_json_nesting_is_bounded_before_parsing() -> None:
    assert jsonio.loads("[" * 64 + "]" * 64) is not None
    t0 = time.perf_counter()
    assert code_of(jsonio.loads, "[" * 100_000 + "]" * 100_000) == "INPUT_TOO_LARGE"
    assert code_of(jsonio.loads, '{"a":' * 65 + "1" + "}" * 65) == "INPUT_TOO_LARGE"
    assert time.perf_counter() - t0 < 2
    # brackets inside strings do not count; an unterminated string is scanned in linear time
    assert jsonio.loads(json.dumps(["[" * 1000, "\\\"[[[["])) == ["[" * 1000, "\\\"[[[["]
    assert code_of(jsonio.loads, '"' + '\\"' * 200_000) == "BAD_JSON"
    assert jsonio.nesting_depth('[{"a": "]]]", "b": [[]]}]') == 4


def test_json_size_numbers_and_strings() -> None:
    assert code_of(jsonio.loads, b" " * 20 + b"1", max_bytes=20) == "INPUT_TOO_LARGE"
    assert code_of(jsonio.loads, "1" * 5000) == "INPUT_TOO_LARGE"
    assert jsonio.loads("9" * jsonio.MAX_NUMBER_CHARS) == int("9" * jsonio.MAX_NUMBER_CHARS)
    for text in ("[NaN]", "[Infinity]", "[-Infinity]", "[1e999]", '{"a": 1, "a": 2}', '["\\ud800"]', "[1,]", "",
                 "\ufeff[]"):
        assert code_of(jsonio.loads, text) == "BAD_JSON", text
    assert code_of(jsonio.loads, b"[\xff]") == "BAD_JSON"
    assert jsonio.loads('["\\ud83d\\ude00"]') == ["\U0001F600"]
    assert code_of(jsonio.loads, "[", code="VECTOR_SCHEMA_INVALID") == "VECTOR_SCHEMA_INVALID"
    assert code_of(jsonio.loads, "[" * 99 + "]" * 99, code="VECTOR_SCHEMA_INVALID") == "VECTOR_SCHEMA_INVALID"


def test_suite_loader_refuses_deep_and_huge_files(tmp_path: Path) -> None:
    from medshare.conformance.runner import load_suite

    (tmp_path / "group.zr").mkdir()
    (tmp_path / "group.zr" / "decode.json").write_text("[" * 100_000 + "]" * 100_000)
    assert code_of(load_suite, tmp_path) == "VECTOR_SCHEMA_INVALID"
    with open(tmp_path / "group.zr" / "decode.json", "wb") as f:
        f.truncate(jsonio.MAX_JSON_BYTES + 10)  # sparse: nothing beyond the bound is read
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert code_of(load_suite, tmp_path) == "VECTOR_SCHEMA_INVALID"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


# Decimals and snarkjs JSON --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["\u0661\u0662\u0663", "\u00b2", "\uff11", "12\u0663", "-1", "+1", " 1", "1 ", "1\n",
                                  "01", "1.0", "1e3", "", "0x1"])
def test_decimals_are_ascii_and_canonical(text: str) -> None:
    assert code_of(json_decimal, text, "x", 10) == "BAD_JSON"
    assert code_of(formats.public_from_snarkjs, [text]) == "PUBLIC_INPUT_INVALID"
    assert code_of(formats.g1_from_snarkjs, None, [text, "1", "1"]) == "BAD_JSON"


def test_long_decimals_are_refused_unread() -> None:
    assert json_decimal(str(P - 1), "x", formats.P_DIGITS) == P - 1
    assert code_of(json_decimal, "1" * 5000, "x", formats.P_DIGITS) == "BAD_JSON"
    assert code_of(json_decimal, "1" * 10 ** 6, "x", formats.P_DIGITS) == "BAD_JSON"
    assert code_of(formats.public_from_snarkjs, ["1" * 5000]) == "PUBLIC_INPUT_INVALID"
    assert formats.public_from_snarkjs([str(R - 1), "0"]) == [R - 1, 0]
    assert formats.R_DIGITS == 77 and formats.P_DIGITS == 115


def test_verification_key_counts() -> None:
    for n in (-1, True, "1", None):
        assert code_of(formats.vk_from_snarkjs, None, {"protocol": "groth16", "curve": "bls12381", "nPublic": n,
                                                       "IC": []}) == "VK_INVALID"


# Circuit files ------------------------------------------------------------------------------------------------
def _r1cs_header(n_wires: int, n_constraints: int) -> bytes:
    header = ((32).to_bytes(4, "little") + R.to_bytes(32, "little") + n_wires.to_bytes(4, "little") + bytes(12)
              + bytes(8) + n_constraints.to_bytes(4, "little"))
    sections = (1).to_bytes(4, "little") + len(header).to_bytes(8, "little") + header
    sections += (2).to_bytes(4, "little") + (0).to_bytes(8, "little")
    return b"r1cs" + (1).to_bytes(4, "little") + (2).to_bytes(4, "little") + sections


def test_r1cs_claiming_many_wires_is_refused_before_allocating() -> None:
    data = _r1cs_header(2 ** 32 - 1, 0)
    assert len(data) < 120
    assert code_of(formats.r1cs_from_circom, data) == "CIRCUIT_TOO_LARGE"
    assert code_of(formats.r1cs_from_circom, _r1cs_header(4, 2 ** 32 - 1)) == "CIRCUIT_TOO_LARGE"
    assert code_of(formats.r1cs_from_circom, _r1cs_header(4, 3)) == "CIRCUIT_FORMAT"  # truncated constraints
    assert formats.r1cs_from_circom(_r1cs_header(MAX_WIRES, 0)).n_vars == MAX_WIRES
    assert code_of(R1CS, MAX_WIRES + 1, 0, ()) == "CIRCUIT_TOO_LARGE"
    assert code_of(R1CS, 0, 0, ()) == "CIRCUIT_FORMAT"
    assert code_of(R1CS, 2, 2, ()) == "CIRCUIT_FORMAT"


def test_wtns_count_is_bounded_and_matches_its_section() -> None:
    def wtns(count: int, values: bytes) -> bytes:
        header = (32).to_bytes(4, "little") + R.to_bytes(32, "little") + count.to_bytes(4, "little")
        body = (1).to_bytes(4, "little") + len(header).to_bytes(8, "little") + header
        body += (2).to_bytes(4, "little") + len(values).to_bytes(8, "little") + values
        return b"wtns" + (2).to_bytes(4, "little") + (2).to_bytes(4, "little") + body

    assert formats.wtns_from_snarkjs(wtns(2, bytes([1]) + bytes(63))) == [1, 0]
    assert code_of(formats.wtns_from_snarkjs, wtns(2 ** 32 - 1, bytes(64))) == "CIRCUIT_TOO_LARGE"
    assert code_of(formats.wtns_from_snarkjs, wtns(3, bytes(64))) == "CIRCUIT_FORMAT"


# Hex, scalars, policies -----------------------------------------------------------------------------------------
def test_hex_messages_say_what_not_which() -> None:
    secret = "0x" + "ab12" * 16
    for bad in (secret + "\n", "0x " + secret[2:], secret.upper(), secret[:-1], secret[2:], secret[:10] + "\u0663"):
        with pytest.raises(MedshareError) as e:
            from_hex(bad)
        assert e.value.code == "BAD_HEX" and "ab12" not in e.value.message.lower(), e.value.message
    assert hex_problem(secret + "\n") == "a hex string of 67 characters has whitespace at position 66"
    assert hex_problem(7) == "expected a 0x-prefixed lowercase hex string, got a JSON number"


def test_zr_from_bytes_needs_bytes() -> None:
    for bad in (None, "00" * 16, 0, [0] * 32, bytes(31)):
        assert code_of(Zr.from_bytes, bad) == "BAD_LENGTH"


def test_policy_keywords_cannot_take_an_epoch() -> None:
    for text in ("and@1", "a and or@2", "2 of (a, of@3)"):
        with pytest.raises(MedshareError) as e:
            policy.parse(text)
        assert e.value.code == "POLICY_SYNTAX" and "keyword" in e.value.message
    for text in ("a\u00a0and b", "a\u3000or b", "a\x0band b", "a and\x1cb"):
        assert code_of(policy.parse, text) == "POLICY_SYNTAX", repr(text)
    assert policy.canonical_text(policy.parse("b\tand\r\na")) == "a and b"


# The reference adapter --------------------------------------------------------------------------------------------
def _first_valid(path: str) -> tuple[str, dict[str, Any]]:
    doc = json.loads((VECTORS / path).read_text())
    for group in doc["testGroups"]:
        for test in group["tests"]:
            if test["result"] == "valid":
                return f"{doc['component']}.{doc['operation']}", {**group["params"], **test["input"]}
    raise AssertionError(path)


def _reply(op: str, inp: dict[str, Any]) -> dict[str, Any]:
    line = json.dumps({"id": 1, "op": op, "input": inp}).encode()
    return adapter.reply_to(adapter.load_handlers(), line, "test")


@pytest.mark.parametrize("path, field", [("group.g1/decode.json", "bytes"), ("group.zr/decode.json", "bytes"),
                                         ("zk.circuits/data_commitment.json", "salt"),
                                         ("zk.poseidon/hash.json", "inputs")])
def test_adapter_refuses_near_miss_hex(path: str, field: str) -> None:
    op, inp = _first_valid(path)
    assert _reply(op, inp)["ok"] is True
    value = inp[field]
    for bad_of in (lambda v: v + "\n", lambda v: "0x " + v[2:], lambda v: v + " ", lambda v: v.upper()):
        bad = [bad_of(v) for v in value] if isinstance(value, list) else bad_of(value)
        reply = _reply(op, {**inp, field: bad})
        assert reply["ok"] is False and reply["error"] in ("BAD_HEX", "BAD_JSON"), (field, bad, reply)


def test_adapter_chain_integers_and_criterion_codes() -> None:
    op, inp = _first_valid("chain.anchor/reference.json")
    assert _reply(op, inp)["ok"] is True
    for height in (2 ** 64, 2 ** 70, -1, True, 1.0):
        assert _reply(op, {**inp, "mdcHeight": height})["error"] == "BAD_JSON"
    anchors = {("\u0661" * len(h) if i == 0 else h): e for i, (h, e) in enumerate(inp["anchors"].items())}
    assert _reply(op, {**inp, "anchors": anchors})["error"] == "BAD_JSON"
    assert _reply(op, {**inp, "anchors": {str(2 ** 64): next(iter(inp["anchors"].values()))}})["error"] == "BAD_JSON"
    op, inp = _first_valid("zk.circuits/data_verify.json")
    for codes in (None, "1", {"a": 1}, [True], [1.5]):
        assert _reply(op, {**inp, "criterion": {**inp["criterion"], "codes": codes}})["error"] == "BAD_JSON"


def test_adapter_reports_a_bug_without_its_text() -> None:
    def leaky(inp: dict[str, Any]) -> dict[str, Any]:
        raise ValueError(f"cannot parse {inp['secret']}")

    reply = adapter.answer({"x.y.z": leaky}, {"id": 5, "op": "x.y.z", "input": {"secret": "0xdeadbeefcafe"}}, "t")
    assert reply["error"] == "INTERNAL" and "deadbeef" not in json.dumps(reply)
    assert reply["message"].startswith("ValueError at unit/test_input_bounds.py:")


def test_deep_trace_is_refused_even_with_a_high_recursion_limit(tmp_path: Path, pure: Any) -> None:
    """py_ecc raises the recursion limit, so json's own recursion check no longer stops a deep document before
    the C stack ends: the trace loader counts the nesting first."""
    import sys

    from medshare.models.replay import load_trace

    assert sys.getrecursionlimit() > 10_000
    deep = tmp_path / "deep.itf.json"
    deep.write_text('{"states": ' + "[" * 500_000 + "]" * 500_000 + "}")
    assert code_of(load_trace, deep) == "TRACE_TOO_LARGE"


def test_runner_parses_hostile_replies_in_linear_time() -> None:
    from medshare.conformance.runner import loads_bounded

    t0 = time.perf_counter()
    with pytest.raises(ValueError):
        loads_bounded(b"[" * 70 + b'"' + b'\\"' * 400_000, 64)
    assert time.perf_counter() - t0 < 2
    with pytest.raises(json.JSONDecodeError):
        loads_bounded(b'{"ok": true, "ok": false}', 64)
