------------------------------ MODULE MCSharing ------------------------------
(* Finite instances of Sharing for TLC. *)
EXTENDS Sharing, TLC

CONSTANTS ri1, ri2, c1, c2

\* ri1 satisfies the policy; ri2 (the adversary) does not.
MCSat == [ri \in RI |-> ri = ri1]
MCView == stateVars
MCSymmetry == Permutations(Nonce)
=============================================================================
