------------------------------ MODULE MCSharing ------------------------------
(* Finite instances of Sharing for TLC. *)
EXTENDS Sharing, TLC

CONSTANTS ri1, ri2, c1, c2

\* ri1 satisfies the policy; ri2 (the adversary) does not.
MCSat == [ri \in RI |-> ri = ri1]
\* With RecheckPeriod no guard reads sigCache (the cached verdicts only save work): it is left out of the
\* view, so states that differ only in what validators cached count once.
MCView == IF RecheckPeriod
          THEN <<mdc, recRevoked, anchored, certRevoked, attrRevoked, attrEpoch, certExpired, reqs, usedNonces,
                 pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>
          ELSE stateVars
MCSymmetry == Permutations(Nonce)
=============================================================================
