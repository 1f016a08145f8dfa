"""The policy language: parsing, errors and limits, canonical form and text digest, satisfaction, LSSS, the
Policy value."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.spec.errors import MedshareError
from medshare.spec.params import R
from medshare.spec.policy import (
    MAX_DEPTH,
    MAX_LEAVES,
    Attr,
    Node,
    Policy,
    Threshold,
    attributes_of,
    canonical,
    canonical_text,
    check_reconstruction,
    parse,
    reconstruction_coefficients,
    satisfies,
    text_digest,
    to_lsss,
)

EXAMPLE = "(cardiology and researcher) or 2 of (ethics_approved, irb, dpo)"


def code_of(fn, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as e:
        fn(*args)
    return e.value.code


def test_parse_example() -> None:
    tree = parse(EXAMPLE)
    assert tree == Threshold(1, (Threshold(2, (Attr("cardiology"), Attr("researcher"))),
                                 Threshold(2, (Attr("ethics_approved"), Attr("irb"), Attr("dpo")))))
    assert canonical_text(tree) == "2 of (dpo, ethics_approved, irb) or (cardiology and researcher)"


def test_precedence_and_binds_tighter() -> None:
    assert parse("a or b and c") == Threshold(1, (Attr("a"), Threshold(2, (Attr("b"), Attr("c")))))


def test_epochs_are_part_of_the_name() -> None:
    tree = parse("irb@2 and dpo")
    assert satisfies(tree, {"irb@2", "dpo"})
    assert not satisfies(tree, {"irb@1", "dpo"})
    assert not satisfies(tree, {"irb", "dpo"})


@pytest.mark.parametrize("text,code,position", [
    ("a and", "POLICY_SYNTAX", 5),
    ("a & b", "POLICY_SYNTAX", 2),
    ("(a or b", "POLICY_SYNTAX", 7),
    ("a b", "POLICY_SYNTAX", 2),
    ("2 of ()", "POLICY_SYNTAX", 6),
    ("2 of a, b", "POLICY_SYNTAX", 5),
    ("Cardiology", "POLICY_SYNTAX", 0),
    ("irb@0", "POLICY_SYNTAX", 0),
    ("irb@01", "POLICY_SYNTAX", 0),
    ("irb@", "POLICY_SYNTAX", 0),
    ("02 of (a, b)", "POLICY_SYNTAX", 0),
    ("", "POLICY_SYNTAX", 0),
    ("and", "POLICY_SYNTAX", 0),
    ("a and (or b)", "POLICY_SYNTAX", 7),
])
def test_syntax_errors_name_the_position(text: str, code: str, position: int) -> None:
    with pytest.raises(MedshareError) as e:
        parse(text)
    assert e.value.code == code
    assert e.value.position == position  # type: ignore[attr-defined]
    assert f"at position {position}" in e.value.message


@pytest.mark.parametrize("text", ["3 of (a, b)", "0 of (a)", "5 of (a, b, c, d)", "9999 of (a)"])
def test_bad_thresholds(text: str) -> None:
    assert code_of(parse, text) == "POLICY_BAD_THRESHOLD"


def test_limits_are_exact() -> None:
    assert len(attributes_of(parse(" or ".join(["a"] * MAX_LEAVES)))) == MAX_LEAVES
    assert code_of(parse, " or ".join(["a"] * (MAX_LEAVES + 1))) == "POLICY_TOO_MANY_LEAVES"
    deep = "a"
    for i in range(MAX_DEPTH - 1):
        deep = f"(x{i} and {deep})" if i % 2 else f"(x{i} or {deep})"
    parse(deep)  # MAX_DEPTH - 1 parentheses, MAX_DEPTH - 1 gates
    assert code_of(parse, "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)) == "POLICY_TOO_DEEP"
    tree: Attr | Threshold = Attr("a")
    for _ in range(MAX_DEPTH + 1):
        tree = Threshold(1, (tree, Attr("b")))
    assert code_of(satisfies, tree, {"a"}) == "POLICY_TOO_DEEP"
    assert code_of(to_lsss, tree) == "POLICY_TOO_DEEP"


@pytest.mark.parametrize("text,code", [
    ("(" * 100_000 + "a" + ")" * 100_000, "POLICY_TOO_DEEP"),
    ("1 of (" * 100_000 + "a" + ")" * 100_000, "POLICY_TOO_DEEP"),
    (" and ".join(f"a{i}" for i in range(100_000)), "POLICY_TOO_MANY_LEAVES"),
    ("2 of (" + ", ".join(["a"] * 100_000) + ")", "POLICY_TOO_MANY_LEAVES"),
    ("a and " * 50 + "%" + " b" * 100_000, "POLICY_SYNTAX"),
    ("," * 100_000, "POLICY_SYNTAX"),
    ("5 of ()" * 10_000, "POLICY_SYNTAX"),
    ("99999999999999999999 of (a, b)", "POLICY_BAD_THRESHOLD"),
    ("70 of (" + ", ".join(["a"] * 60) + ")", "POLICY_BAD_THRESHOLD"),
    ("a" * 100_000, "POLICY_SYNTAX"),
])
def test_hostile_input_fails_fast(text: str, code: str) -> None:
    t0 = time.perf_counter()
    assert code_of(parse, text) == code
    # a guard against super-linear blow-up on 10^5-token input (linear work takes well under a second),
    # generous enough not to flake on a loaded machine
    assert time.perf_counter() - t0 < 10.0


def test_non_string_input() -> None:
    assert code_of(parse, b"a and b") == "POLICY_SYNTAX"
    assert code_of(Attr, "Bad") == "ATTRIBUTE_INVALID"
    assert code_of(Attr, "or") == "ATTRIBUTE_INVALID"
    assert code_of(Threshold, 1, ()) == "POLICY_SYNTAX"
    assert code_of(Threshold, 2, (Attr("a"),)) == "POLICY_BAD_THRESHOLD"


def test_canonical_form() -> None:
    assert canonical_text(parse("b and (c and a)")) == "a and b and c"
    assert canonical_text(parse("(b or (c or a)) and d")) == "(a or b or c) and d"
    assert canonical_text(parse("1 of (2 of (x, y))")) == "x and y"
    assert canonical_text(parse("2 of (c, a, a)")) == "2 of (a, a, c)"
    assert canonical_text(parse("a or a")) == "a or a"
    assert canonical_text(parse("2 of (b, a, c) and (z or y)")) == "2 of (a, b, c) and (y or z)"
    for text in (EXAMPLE, "2 of (a and b, c or d, 2 of (e, f, g))", "a", "x@3 or (y and z@12)"):
        tree = canonical(parse(text))
        assert canonical(parse(canonical_text(tree))) == tree
        assert canonical(tree) == tree


def test_text_digest() -> None:
    assert text_digest(parse("a and b")) == text_digest(parse("b and a"))
    assert text_digest(parse("a and b")) != text_digest(parse("a or b"))
    assert len(text_digest(parse(EXAMPLE))) == 32
    import hashlib
    assert text_digest(parse("b and a")) == hashlib.sha256(b"MEDSHARE-V1-POLICY-HASH\x00a and b").digest()


def test_policy_value_is_made_once_from_text() -> None:
    p = Policy.of(EXAMPLE)
    assert p.tree == canonical(parse(EXAMPLE))
    assert p.text == canonical_text(parse(EXAMPLE))
    assert p.lsss == to_lsss(p.tree)
    assert Policy.of(p.tree) == p == Policy.of(p.text)
    assert code_of(Policy.of, "a and") == "POLICY_SYNTAX"


def trees(max_leaves: int = 8) -> st.SearchStrategy[Node]:
    leaves = st.sampled_from(("a", "b", "c", "irb@1", "irb@2")).map(Attr)
    return st.recursive(leaves, lambda ch: st.lists(ch, min_size=1, max_size=4).flatmap(
        lambda cs: st.integers(1, len(cs)).map(lambda k: Threshold(k, tuple(cs)))), max_leaves=max_leaves)


@given(tree=trees())
def test_canonical_text_parses_to_the_canonical_tree(tree: Node) -> None:
    """The canonical text parses back to the canonical tree itself (not only to an equivalent one), so whatever
    reads the tree (gate list, LSSS) gets the same result from the text or from the Policy value."""
    assert parse(canonical_text(tree)) == canonical(tree)
    assert Policy.of(canonical_text(tree)) == Policy.of(tree)


def test_satisfies_thresholds_with_duplicates() -> None:
    tree = parse("2 of (a, a, b)")
    assert satisfies(tree, {"a"})
    assert satisfies(tree, {"b", "a"})
    assert not satisfies(tree, {"b"})
    assert not satisfies(tree, set())


def test_lsss_shape_and_labels() -> None:
    lsss = to_lsss(parse("a and (b or a) and 2 of (c, d, a)"))
    assert lsss.labels == ("a", "b", "a", "c", "d", "a")
    assert lsss.occurrences == (0, 0, 1, 0, 0, 2)
    assert len(set(lsss.row_names())) == 6
    assert lsss.width == 1 + 2 + 1
    assert lsss.rows[0] == (1, 1, 0, 0)
    assert lsss.rows[1] == lsss.rows[2] == (0, R - 1, 1, 0)
    assert lsss.rows[3:] == ((0, 0, R - 1, 1), (0, 0, R - 1, 2), (0, 0, R - 1, 3))


def test_reconstruction_for_every_subset() -> None:
    for text in (EXAMPLE, "2 of (a, a, b)", "3 of (a, b, c, d and e)", "a and b and (c or 2 of (d, e, f))"):
        tree = canonical(parse(text))
        lsss = to_lsss(tree)
        names = sorted(set(lsss.labels))
        for n in range(len(names) + 1):
            for s in itertools.combinations(names, n):
                if satisfies(tree, s):
                    gamma = reconstruction_coefficients(lsss, s)
                    assert check_reconstruction(lsss, gamma)
                    assert all(lsss.labels[i] in s for i in gamma)
                else:
                    assert code_of(reconstruction_coefficients, lsss, s) == "POLICY_UNSATISFIED"


def test_unsatisfied_message_names_stale_epochs() -> None:
    lsss = to_lsss(parse("irb@2 and dpo"))
    with pytest.raises(MedshareError) as e:
        reconstruction_coefficients(lsss, {"irb@1", "dpo"})
    assert e.value.code == "POLICY_UNSATISFIED" and "irb@2" in e.value.message
