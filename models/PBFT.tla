-------------------------------- MODULE PBFT --------------------------------
(***************************************************************************)
(* PBFT (Castro-Liskov, OSDI 1999) at the level of its safety argument:    *)
(* the normal case (pre-prepare, prepare, commit) and the view change      *)
(* (view-change certificates and the new primary's justified proposals).   *)
(*                                                                         *)
(* Signatures are ideal: every message names its sender, and only honest   *)
(* replicas' actions add honest messages.  Byzantine replicas are never    *)
(* stored: they are counted as having sent every vote (the worst case for  *)
(* a quorum), and a Byzantine primary may pre-prepare any justified value, *)
(* a different one to each backup (equivocation).  Client requests carry   *)
(* client signatures: a value can only be ordered once it was requested.   *)
(*                                                                         *)
(* An honest replica may crash and restart at any time (a replica that is  *)
(* down simply takes no steps); its log of what it sent and decided is     *)
(* persistent.                                                             *)
(*                                                                         *)
(* The guards a faulty configuration switches off are constants:           *)
(* CheckViewChange (the new primary must re-propose the highest prepared   *)
(* value of a view-change quorum), CheckClientSig, and PersistLog (the log *)
(* survives a crash).                                                      *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    Replica,          \* all validators
    Byz,              \* the Byzantine ones (a subset of Replica)
    Value,            \* client requests (symbols)
    Nil,              \* "nothing decided"
    Order,            \* a sequence listing Replica: Primary(v) = Order[v % n + 1]
    MaxView,          \* views 0..MaxView
    MaxSeq,           \* sequence numbers 1..MaxSeq
    Quorum,           \* 2f + 1 in a correct configuration
    CheckViewChange,  \* FALSE: a new primary may ignore view-change certificates
    CheckClientSig,   \* FALSE: backups order values no client requested
    PersistLog        \* FALSE: a restarted replica forgets what it sent and decided

Honest == Replica \ Byz
Views == 0..MaxView
Seqs == 1..MaxSeq
N == Cardinality(Replica)
Primary(v) == Order[(v % N) + 1]

VARIABLES
    view,       \* view[r]: the view honest replica r is in
    requested,  \* client-signed requests seen so far
    pp,         \* pre-prepares [v, s, val] sent by honest primaries
    prep,       \* prepares [r, v, s, val] sent by honest replicas
    cmt,        \* commits [r, v, s, val] sent by honest replicas
    vc,         \* view-changes [r, v, cert] sent by honest replicas (cert: prepared [v, s, val])
    decided,    \* decided[r][s]: the value honest r committed at s, or Nil
    log,        \* log[r]: the [k, v, s] (k = "pp", "prep", "cmt") honest r has sent: its stable storage
    act         \* the last action and its arguments (for traces; not part of the VIEW)

vars == <<view, requested, pp, prep, cmt, vc, decided, log, act>>
stateVars == <<view, requested, pp, prep, cmt, vc, decided, log>>
Sent(k, v, s) == [k |-> k, v |-> v, s |-> s]

\* Votes: the honest senders on record, plus every Byzantine replica (they vote for anything).
PrepVotes(v, s, val) == {q \in Honest : [r |-> q, v |-> v, s |-> s, val |-> val] \in prep} \cup Byz
CmtVotes(v, s, val) == {q \in Honest : [r |-> q, v |-> v, s |-> s, val |-> val] \in cmt} \cup Byz

Prepared(r, v, s, val) ==
    /\ [r |-> r, v |-> v, s |-> s, val |-> val] \in prep
    /\ Cardinality(PrepVotes(v, s, val)) >= Quorum

PreparedCerts(r) ==
    {[v |-> v, s |-> s, val |-> val] : v \in Views, s \in Seqs, val \in Value}
        \cap {c \in [v : Views, s : Seqs, val : Value] : Prepared(r, c.v, c.s, c.val)}

\* A proposal for (v, s) in a view v > 0 is justified by a quorum of view-change messages
\* for v (Byzantine ones carry no certificate: hiding is their strongest move): it must
\* re-propose the value of the highest-view certificate for s, if any.
VCSenders(v) == {m.r : m \in {x \in vc : x.v = v}}
Justified(v, s, val) ==
    \/ v = 0
    \/ ~CheckViewChange
    \/ \E Q \in SUBSET VCSenders(v) :
          /\ Cardinality(Q \cup Byz) >= Quorum
          /\ LET certs == {c \in UNION {m.cert : m \in {x \in vc : x.v = v /\ x.r \in Q}} : c.s = s}
             IN \/ certs = {}
                \/ \E c \in certs : c.val = val /\ \A d \in certs : d.v <= c.v

Acceptable(val) == val \in requested \/ ~CheckClientSig

TypeOK ==
    /\ view \in [Honest -> Views]
    /\ requested \subseteq Value
    /\ pp \subseteq [v : Views, s : Seqs, val : Value]
    /\ prep \subseteq [r : Honest, v : Views, s : Seqs, val : Value]
    /\ cmt \subseteq [r : Honest, v : Views, s : Seqs, val : Value]
    /\ decided \in [Honest -> [Seqs -> Value \cup {Nil}]]
    /\ log \in [Honest -> SUBSET [k : {"pp", "prep", "cmt"}, v : Views, s : Seqs]]

Init ==
    /\ view = [r \in Honest |-> 0]
    /\ requested = {}
    /\ pp = {}
    /\ prep = {}
    /\ cmt = {}
    /\ vc = {}
    /\ decided = [r \in Honest |-> [s \in Seqs |-> Nil]]
    /\ log = [r \in Honest |-> {}]
    /\ act = [name |-> "Init"]

\* A client signs and broadcasts a request.
Request(val) ==
    /\ val \notin requested
    /\ requested' = requested \cup {val}
    /\ act' = [name |-> "Request", val |-> val]
    /\ UNCHANGED <<view, pp, prep, cmt, vc, decided, log>>

\* An honest primary orders val at s in its view (and counts as its own prepare).
PrePrepare(p, s, val) ==
    LET v == view[p] IN
    /\ p = Primary(v)
    /\ Sent("pp", v, s) \notin log[p]
    /\ Acceptable(val)
    /\ Justified(v, s, val)
    /\ pp' = pp \cup {[v |-> v, s |-> s, val |-> val]}
    /\ prep' = prep \cup {[r |-> p, v |-> v, s |-> s, val |-> val]}
    /\ log' = [log EXCEPT ![p] = @ \cup {Sent("pp", v, s), Sent("prep", v, s)}]
    /\ act' = [name |-> "PrePrepare", r |-> p, v |-> v, s |-> s, val |-> val]
    /\ UNCHANGED <<view, requested, cmt, vc, decided>>

\* A backup accepts the primary's pre-prepare (one per view and sequence number) and prepares.
Prepare(r, s, val) ==
    LET v == view[r] IN
    /\ r # Primary(v)
    /\ Sent("prep", v, s) \notin log[r]
    /\ Acceptable(val)
    /\ IF Primary(v) \in Byz THEN Justified(v, s, val) ELSE [v |-> v, s |-> s, val |-> val] \in pp
    /\ prep' = prep \cup {[r |-> r, v |-> v, s |-> s, val |-> val]}
    /\ log' = [log EXCEPT ![r] = @ \cup {Sent("prep", v, s)}]
    /\ act' = [name |-> "Prepare", r |-> r, v |-> v, s |-> s, val |-> val]
    /\ UNCHANGED <<view, requested, pp, cmt, vc, decided>>

\* A replica that has prepared (its prepare + a quorum of matching prepares) commits.
Commit(r, s, val) ==
    LET v == view[r] IN
    /\ Prepared(r, v, s, val)
    /\ Sent("cmt", v, s) \notin log[r]
    /\ cmt' = cmt \cup {[r |-> r, v |-> v, s |-> s, val |-> val]}
    /\ log' = [log EXCEPT ![r] = @ \cup {Sent("cmt", v, s)}]
    /\ act' = [name |-> "Commit", r |-> r, v |-> v, s |-> s, val |-> val]
    /\ UNCHANGED <<view, requested, pp, prep, vc, decided>>

\* committed-local: own commit and a quorum of matching commits.
Decide(r, s, val) ==
    LET v == view[r] IN
    /\ decided[r][s] = Nil
    /\ [r |-> r, v |-> v, s |-> s, val |-> val] \in cmt
    /\ Cardinality(CmtVotes(v, s, val)) >= Quorum
    /\ decided' = [decided EXCEPT ![r][s] = val]
    /\ act' = [name |-> "Decide", r |-> r, v |-> v, s |-> s, val |-> val]
    /\ UNCHANGED <<view, requested, pp, prep, cmt, vc, log>>

\* A replica times out, moves to the next view and sends its prepared certificates.
ViewChange(r) ==
    /\ view[r] < MaxView
    /\ view' = [view EXCEPT ![r] = view[r] + 1]
    /\ vc' = vc \cup {[r |-> r, v |-> view[r] + 1, cert |-> PreparedCerts(r)]}
    /\ act' = [name |-> "ViewChange", r |-> r, v |-> view[r] + 1]
    /\ UNCHANGED <<requested, pp, prep, cmt, decided, log>>

\* An honest replica crashes and restarts.  Its messages already on the network stay there; with a
\* persistent log it recovers its state, without one it forgets what it sent and decided.
CrashRestart(r) ==
    /\ ~PersistLog
    /\ log[r] # {}
    /\ log' = [log EXCEPT ![r] = {}]
    /\ decided' = [decided EXCEPT ![r] = [s \in Seqs |-> Nil]]
    /\ act' = [name |-> "CrashRestart", r |-> r]
    /\ UNCHANGED <<view, requested, pp, prep, cmt, vc>>

Next ==
    \/ \E val \in Value : Request(val)
    \/ \E r \in Honest, s \in Seqs, val \in Value :
          PrePrepare(r, s, val) \/ Prepare(r, s, val) \/ Commit(r, s, val) \/ Decide(r, s, val)
    \/ \E r \in Honest : ViewChange(r) \/ CrashRestart(r)

Spec == Init /\ [][Next]_vars

(* Safety *)
Agreement ==
    \A r1, r2 \in Honest, s \in Seqs :
        (decided[r1][s] # Nil /\ decided[r2][s] # Nil) => decided[r1][s] = decided[r2][s]

Validity ==
    \A r \in Honest, s \in Seqs : decided[r][s] # Nil => decided[r][s] \in requested

\* Witness: false once an honest replica decides in a view after a view change (a trace reaching it).
NoDecisionInLaterView ==
    \A r \in Honest, s \in Seqs :
        decided[r][s] # Nil => \E m \in cmt : m.r = r /\ m.s = s /\ m.v = 0
=============================================================================
