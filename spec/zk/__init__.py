"""zk-SNARKs for medshare: R1CS, Groth16 over BLS12-381 (snarkjs-compatible), Poseidon, circuits (spec/zk/zk.md)."""
