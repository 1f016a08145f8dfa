------------------------------ MODULE MBTSharing ------------------------------
(* Model-based testing of the sharing protocol against the spec (models/mbt.py): TLC's simulation draws   *)
(* random behaviours of MCSharing under the action constraint MBTStep. Every action stays possible, but a  *)
(* revocation or a certificate's expiry waits until some grant has committed: drawn uniformly, they      *)
(* otherwise come first and end most behaviours before a request is made.                                 *)
EXTENDS MCSharing

MBTStep ==
    act'.name \in {"RevokeRecord", "RevokeCert", "RevokeAttributes", "ExpireCert"} => grants # {}

MBTNext == Next /\ MBTStep
=============================================================================
