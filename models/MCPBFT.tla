------------------------------- MODULE MCPBFT -------------------------------
(* Finite instances of PBFT for TLC: the replicas r1..r4, requests as symmetric model values. *)
EXTENDS PBFT, TLC

CONSTANTS r1, r2, r3, r4, r5, r6, r7

MCOrder4 == <<r1, r2, r3, r4>>
MCOrder7 == <<r1, r2, r3, r4, r5, r6, r7>>
MCSymmetry == Permutations(Value)
MCView == stateVars
=============================================================================
