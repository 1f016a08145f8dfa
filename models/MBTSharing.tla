------------------------------ MODULE MBTSharing ------------------------------
(* Model-based testing of the sharing protocol against the spec (models/mbt.py): TLC's simulation draws   *)
(* random behaviours of MCSharing under the action constraint MBTStep. Every action stays possible, but a  *)
(* revocation waits until some grant has committed: drawn uniformly, revocations otherwise come first and *)
(* end most behaviours before a request is made.                                                          *)
EXTENDS MCSharing

MBTStep ==
    act'.name \in {"RevokeRecord", "RevokeCert", "RevokeAttributes"} => grants # {}

MBTNext == Next /\ MBTStep
=============================================================================
