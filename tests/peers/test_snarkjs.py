"""Groth16 interoperability with the iden3 toolchain (snarkjs 0.7, circom 2, curve bls12381), both directions.

(a) snarkjs verifies medshare's key, proof and public signals for a medshare-built circuit;
(b) medshare verifies snarkjs's proof for a circom circuit (tiny powers-of-tau ceremony in a temp dir);
(c) medshare proves the circom circuit from its .r1cs and the snarkjs-computed .wtns; snarkjs verifies;
(d) snarkjs proves with medshare's key exported as a .zkey (formats.zkey_to_snarkjs), for a medshare circuit and
    for the circom circuit; the proofs verify under medshare's verifier and ``snarkjs groth16 verify``, and
    ``snarkjs zkey export verificationkey`` gives medshare's verification key;
(e) phase 2 both ways: medshare imports a snarkjs ceremony's key (formats.zkey_from_snarkjs), contributes
    (ceremony.contribute) and ``snarkjs zkey verify`` accepts the result against the circuit and the powers of
    tau; snarkjs contributes on top and medshare verifies the chain, with snarkjs's contribution hash.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from medshare.reference.testbed import get_group
from medshare.spec import jsonio
from medshare.spec.errors import MedshareError
from medshare.spec.params import R
from medshare.spec.rng import DeterministicRNG, SystemRNG
from medshare.spec.zk import ceremony, formats, gadgets, groth16, poseidon
from medshare.spec.zk.r1cs import R1CS, Circuit

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"
SNARKJS = BIN / "snarkjs"
CIRCOM = BIN / "circom2"
CIRCUIT = Path(__file__).parent / "circuits" / "square_sum.circom"

if not (SNARKJS.exists() and CIRCOM.exists() and shutil.which("node")):
    pytest.skip("snarkjs/circom2 not installed (./run setup)", allow_module_level=True)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def snarkjs_verifies(workdir: Path, vk: dict, public: list[str], proof: dict) -> bool:  # type: ignore[type-arg]
    for name, obj in (("vk.json", vk), ("public.json", public), ("proof.json", proof)):
        (workdir / name).write_text(json.dumps(obj))
    out = run(SNARKJS, "groth16", "verify", "vk.json", "public.json", "proof.json", cwd=workdir)
    return out.returncode == 0 and "OK" in out.stdout


@pytest.fixture(scope="module")
def circom_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compile the circom circuit for bls12381, run a 2^8 powers-of-tau ceremony, set up, prove with snarkjs."""
    d = tmp_path_factory.mktemp("circom")
    steps = [
        (CIRCOM, CIRCUIT, "--r1cs", "--wasm", "--prime", "bls12381", "-o", d),
        (SNARKJS, "powersoftau", "new", "bls12381", "8", "pot0.ptau"),
        (SNARKJS, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "--name=test", "-e=medshare peer test"),
        (SNARKJS, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"),
        (SNARKJS, "groth16", "setup", "square_sum.r1cs", "pot.ptau", "c.zkey"),
        (SNARKJS, "zkey", "export", "verificationkey", "c.zkey", "snark_vk.json"),
    ]
    (d / "input.json").write_text(json.dumps({"a": 200, "b": 7, "c": 5}))
    steps.append((SNARKJS, "wtns", "calculate", "square_sum_js/square_sum.wasm", "input.json", "w.wtns"))
    steps.append((SNARKJS, "groth16", "prove", "c.zkey", "w.wtns", "snark_proof.json", "snark_public.json"))
    for step in steps:
        out = run(*step, cwd=d)
        assert out.returncode == 0, f"{step}: {out.stdout}\n{out.stderr}"
    return d


def test_snarkjs_verifies_medshare_proof(tmp_path: Path) -> None:
    group = get_group("native")
    preimage = [11, 22, 33]
    digest = poseidon.poseidon_hash(preimage)
    cs = Circuit()
    pub = cs.public(digest)
    tag = cs.public(99)
    cs.constrain(tag, tag, cs.private(99 * 99))
    cs.assert_equal(gadgets.poseidon_hash(cs, [cs.private(x) for x in preimage]), pub)
    pk = groth16.setup_for_tests(group, cs.to_r1cs(), DeterministicRNG(b"peer-a-setup"))
    proof = groth16.prove(group, pk, cs.witness(), DeterministicRNG(b"peer-a-prove"))
    vk_json = formats.vk_to_snarkjs(pk.vk)
    proof_json = formats.proof_to_snarkjs(proof)
    assert snarkjs_verifies(tmp_path, vk_json, formats.public_to_snarkjs([digest, 99]), proof_json)
    # the same proof for another public signal is rejected by snarkjs too
    assert not snarkjs_verifies(tmp_path, vk_json, formats.public_to_snarkjs([digest, 98]), proof_json)


def test_medshare_verifies_snarkjs_proof(circom_build: Path) -> None:
    group = get_group("native")
    vk = formats.vk_from_snarkjs(group, jsonio.loads((circom_build / "snark_vk.json").read_bytes()))
    proof = formats.proof_from_snarkjs(group, jsonio.loads((circom_build / "snark_proof.json").read_bytes()))
    public = formats.public_from_snarkjs(jsonio.loads((circom_build / "snark_public.json").read_bytes()))
    assert public == [200 * 7 + 5 * 5, 5]
    groth16.verify(group, vk, public, proof)
    with pytest.raises(MedshareError) as e:
        groth16.verify(group, vk, [public[0], 6], proof)
    assert e.value.code == "PROOF_INVALID"


def test_medshare_proves_circom_circuit(circom_build: Path) -> None:
    group = get_group("native")
    r1cs = formats.r1cs_from_circom((circom_build / "square_sum.r1cs").read_bytes())
    z = formats.wtns_from_snarkjs((circom_build / "w.wtns").read_bytes())
    assert (r1cs.n_public, len(r1cs.constraints)) == (2, 12)
    r1cs.check_witness(z)
    pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"peer-c-setup"))
    proof = groth16.prove(group, pk, z, DeterministicRNG(b"peer-c-prove"))
    public = r1cs.public_inputs(z)
    groth16.verify(group, pk.vk, public, proof)
    assert snarkjs_verifies(circom_build, formats.vk_to_snarkjs(pk.vk), formats.public_to_snarkjs(public),
                            formats.proof_to_snarkjs(proof))


def snarkjs_proves_with_exported_key(workdir: Path, r1cs: R1CS, wtns: bytes, seed: bytes) -> None:
    """Set up in medshare, export the .zkey from the same trapdoor, prove with snarkjs, verify both ways."""
    group = get_group("native")
    pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(seed))
    (workdir / "m.zkey").write_bytes(formats.zkey_to_snarkjs(group, pk))
    (workdir / "m.wtns").write_bytes(wtns)
    out = run(SNARKJS, "groth16", "prove", "m.zkey", "m.wtns", "m_proof.json", "m_public.json", cwd=workdir)
    assert out.returncode == 0, out.stdout + out.stderr
    proof_json = jsonio.loads((workdir / "m_proof.json").read_bytes())
    public = formats.public_from_snarkjs(jsonio.loads((workdir / "m_public.json").read_bytes()))
    z = formats.wtns_from_snarkjs(wtns)
    assert public == r1cs.public_inputs(z)
    groth16.verify(group, pk.vk, public, formats.proof_from_snarkjs(group, proof_json))
    vk_json = formats.vk_to_snarkjs(pk.vk)
    assert snarkjs_verifies(workdir, vk_json, formats.public_to_snarkjs(public), proof_json)
    wrong = [(public[0] + 1) % R, *public[1:]]
    assert not groth16.is_valid(group, pk.vk, wrong, formats.proof_from_snarkjs(group, proof_json))
    out = run(SNARKJS, "zkey", "export", "verificationkey", "m.zkey", "m_vk.json", cwd=workdir)
    assert out.returncode == 0, out.stdout + out.stderr
    exported = jsonio.loads((workdir / "m_vk.json").read_bytes())
    exported.pop("vk_alphabeta_12")
    assert exported == vk_json


def test_snarkjs_proves_medshare_circuit_with_exported_zkey(tmp_path: Path) -> None:
    preimage = [5, 6, 7, 8]
    cs = Circuit()
    pub = cs.public(poseidon.poseidon_hash(preimage))
    x = cs.public(12)
    cs.constrain(x, x + 1, cs.private(12 * 13))
    cs.assert_equal(gadgets.poseidon_hash(cs, [cs.private(v) for v in preimage]), pub)
    r1cs = cs.to_r1cs()
    assert 2 ** 8 < groth16.qap_rows(r1cs) <= 2 ** 9
    snarkjs_proves_with_exported_key(tmp_path, r1cs, formats.wtns_to_snarkjs(cs.witness()), b"peer-d-setup")
    # the exported key takes a snarkjs phase-2 contribution: delta changes, alpha, beta, gamma and IC do not
    group = get_group("native")
    steps = [(SNARKJS, "zkey", "contribute", "m.zkey", "m2.zkey", "--name=peer", "-e=medshare peer test"),
             (SNARKJS, "zkey", "export", "verificationkey", "m2.zkey", "m2_vk.json"),
             (SNARKJS, "groth16", "prove", "m2.zkey", "m.wtns", "m2_proof.json", "m2_public.json")]
    for step in steps:
        out = run(*step, cwd=tmp_path)
        assert out.returncode == 0, f"{step}: {out.stdout}\n{out.stderr}"
    vk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"peer-d-setup")).vk
    vk2 = formats.vk_from_snarkjs(group, jsonio.loads((tmp_path / "m2_vk.json").read_bytes()))
    assert vk2.delta_g2 != vk.delta_g2 and (vk2.alpha_g1, vk2.beta_g2, vk2.gamma_g2, vk2.ic) == (
        vk.alpha_g1, vk.beta_g2, vk.gamma_g2, vk.ic)
    proof2 = formats.proof_from_snarkjs(group, jsonio.loads((tmp_path / "m2_proof.json").read_bytes()))
    public = formats.public_from_snarkjs(jsonio.loads((tmp_path / "m2_public.json").read_bytes()))
    groth16.verify(group, vk2, public, proof2)
    assert not groth16.is_valid(group, vk, public, proof2)
    # medshare reads snarkjs's contribution and checks it against the key it started from
    contributed = formats.zkey_from_snarkjs(group, (tmp_path / "m2.zkey").read_bytes(), r1cs)
    assert contributed.pk.vk == vk2 and contributed.contributions[0].name == "peer"
    start = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"peer-d-setup")).delta_g1
    assert len(ceremony.verify_contributions(group, contributed, initial_delta=start)) == 1


def test_snarkjs_proves_circom_circuit_with_exported_zkey(circom_build: Path) -> None:
    r1cs = formats.r1cs_from_circom((circom_build / "square_sum.r1cs").read_bytes())
    snarkjs_proves_with_exported_key(circom_build, r1cs, (circom_build / "w.wtns").read_bytes(), b"peer-e-setup")


def _hash_lines(text: str, label: str) -> bytes:
    """The 64-byte hash snarkjs logs after ``label`` (four lines of sixteen hex bytes)."""
    rest = text.split(label, 1)[1]
    hexes = [w for w in rest.replace("\n", " ").split() if len(w) == 8 and all(c in "0123456789abcdef" for c in w)]
    return bytes.fromhex("".join(hexes[:16]))


def test_phase2_with_snarkjs_both_ways(circom_build: Path) -> None:
    """snarkjs's setup key (delta = 1) is imported; medshare's contribution passes ``snarkjs zkey verify``
    (circuit and powers of tau); snarkjs's next contribution verifies in medshare with snarkjs's hash; the
    final key proves with snarkjs and verifies in medshare."""
    group = get_group("native")
    d = circom_build
    r1cs = formats.r1cs_from_circom((d / "square_sum.r1cs").read_bytes())
    initial = formats.zkey_from_snarkjs(group, (d / "c.zkey").read_bytes(), r1cs)
    assert initial.contributions == () and initial.pk.delta_g1 == group.g1()
    assert ceremony.verify_contributions(group, initial) == []
    ours, our_hash = ceremony.contribute(group, initial, SystemRNG(), name="medshare")
    (d / "m1.zkey").write_bytes(formats.zkey_to_snarkjs(group, ours))
    out = run(SNARKJS, "zkey", "verify", "square_sum.r1cs", "pot.ptau", "m1.zkey", cwd=d)
    assert out.returncode == 0 and "ZKey Ok!" in out.stdout + out.stderr, out.stdout + out.stderr
    out = run(SNARKJS, "zkey", "contribute", "m1.zkey", "m2.zkey", "--name=peer", "-e=medshare phase 2", "-v",
              cwd=d)
    assert out.returncode == 0, out.stdout + out.stderr
    theirs = formats.zkey_from_snarkjs(group, (d / "m2.zkey").read_bytes(), r1cs)
    hashes = ceremony.verify_contributions(group, theirs)
    assert hashes[0] == our_hash and hashes[1] == _hash_lines(out.stdout + out.stderr, "Contribution Hash:")
    out = run(SNARKJS, "groth16", "prove", "m2.zkey", "w.wtns", "p2.json", "pub2.json", cwd=d)
    assert out.returncode == 0, out.stdout + out.stderr
    proof = formats.proof_from_snarkjs(group, jsonio.loads((d / "p2.json").read_bytes()))
    public = formats.public_from_snarkjs(jsonio.loads((d / "pub2.json").read_bytes()))
    groth16.verify(group, theirs.pk.vk, public, proof)
    assert not groth16.is_valid(group, initial.pk.vk, public, proof)
