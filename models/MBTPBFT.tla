------------------------------- MODULE MBTPBFT -------------------------------
(* Model-based testing of PBFT against the spec (models/mbt.py): TLC's simulation draws random behaviours of *)
(* MCPBFT under the action constraint MBTStep, which leaves out the steps where the spec's replicas take     *)
(* another, equally safe path (models/bridge.md, "Where the models and the spec differ").                   *)
EXTENDS MCPBFT

\* The certificates r has sent COMMIT for: the spec's replica learns it is prepared and commits in one step.
CommittedCerts(r) == {[v |-> m.v, s |-> m.s, val |-> m.val] : m \in {x \in cmt : x.r = r}}

\* Justified, with quorums that hold the new primary's own view change (the spec's new view always does).
JustifiedWithOwn(p, v, s, val) ==
    \/ v = 0
    \/ \E Q \in SUBSET VCSenders(v) :
          /\ p \in Q
          /\ Cardinality(Q \cup Byz) >= Quorum
          /\ LET certs == {c \in UNION {m.cert : m \in {x \in vc : x.v = v /\ x.r \in Q}} : c.s = s}
             IN \/ certs = {}
                \/ \E c \in certs : c.val = val /\ \A d \in certs : d.v <= c.v

MBTStep ==
    /\ act'.name = "ViewChange" => PreparedCerts(act'.r) \subseteq CommittedCerts(act'.r)
    /\ act'.name = "PrePrepare" => JustifiedWithOwn(act'.r, act'.v, act'.s, act'.val)

MBTNext == Next /\ MBTStep
=============================================================================
