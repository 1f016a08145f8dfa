------------------------------ MODULE Sharing ------------------------------
(***************************************************************************)
(* The medshare sharing protocol (docs/design.md section 2, phases 3-9)    *)
(* ideal cryptography: keys, hashes, proofs and signatures are symbols.    *)
(*                                                                         *)
(*  - MDC: record publications (pending, then committed by PBFT, or        *)
(*    dropped), record revocations.  Headers of committed blocks are       *)
(*    anchored onto SHC with their commit certificate.                     *)
(*  - SHC: access requests (record reference, zk proof, nonce, CBS         *)
(*    signature), grants, re-encryption receipts, revocations.             *)
(*  - A proof exists iff the requester's attributes satisfy the policy     *)
(*    (Sat) and its attribute epoch is not revoked; a signature is valid   *)
(*    iff its signer made it: the adversary forges only as "not signed".   *)
(*    A request records the attribute epoch its proof was made under; the  *)
(*    authority may re-commit a revoked RI's attributes at a new epoch,    *)
(*    which does not revive requests made under an older one.              *)
(*  - Certificates also end (their period is over at chain time).  A       *)
(*    validator may verify a request's signature before including it and   *)
(*    cache the verdict; SHC checks the period at inclusion regardless.    *)
(*  - The MI hands kfrags to the CPC nodes when it posts a grant; the      *)
(*    grant commits on SHC later (or is dropped).  Honest CPC nodes        *)
(*    re-encrypt only for a committed grant while neither it, its record   *)
(*    nor its requester (certificate, attribute epoch) is revoked          *)
(*    (Revoked: the grant, its record, the requester's certificate, or the *)
(*    request's attribute epoch, revoked or superseded); Byzantine nodes   *)
(*    re-encrypt whenever they hold a kfrag.                               *)
(*    Decryption needs T cfrags made for the requester's PRE key and a     *)
(*    current CP-ABE key whose attributes satisfy the policy.              *)
(*  - SHC refuses requests on revoked records.                             *)
(*  - The adversary: a Byzantine CPC node, an unauthorised research        *)
(*    institution (Sat = FALSE) that also forges requests in another's     *)
(*    name, and replays of accepted requests.  Nonces are per requester.   *)
(*                                                                         *)
(* Each guard a buggy configuration switches off is a BOOLEAN constant.    *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    RI,               \* research institutions
    Sat,              \* Sat[ri]: ri's attribute set satisfies the records' policy
    Adversary,        \* the RI that also forges and replays
    Record,           \* record ids
    Nonce,            \* request nonces
    CPC,              \* CPC nodes
    ByzCPC,           \* Byzantine CPC nodes
    T,                \* PRE threshold
    MaxReq,           \* bound on accepted requests
    MaxEpoch,         \* bound on an RI's attribute epochs
    CheckProof,       \* SHC and MI verify the zk proof of a request
    CheckGrant,       \* honest CPC nodes re-encrypt only for a committed grant
    CheckRevocation,  \* grants and re-encryptions refuse revoked records, grants, certificates, attributes
    CheckRequestEpoch,\* ... and check the epoch the request was proven under, not only the current one
    RecordNonce,      \* SHC records accepted nonces
    DedupReceipts,    \* SHC accepts one receipt per (grant, CPC node)
    CheckAnchorCert,  \* SHC anchors only MDC headers with a commit certificate
    CheckSig,         \* SHC checks CBS signatures and certificates
    RecheckPeriod,    \* ... and the certificate period at inclusion even when the verdict was cached
    KfragToRI,        \* kfrags re-encrypt to the requester's PRE key (not to a CPC-held key)
    HideAttributes    \* requests carry a proof, not the attribute values

VARIABLES
    mdc,          \* mdc[rec] \in {"absent", "pending", "committed"}
    recRevoked,   \* records revoked on MDC
    anchored,     \* records whose MDC block header is anchored on SHC
    certRevoked,  \* RIs whose certificate is revoked
    attrRevoked,  \* RIs whose current attribute epoch is revoked
    attrEpoch,    \* attrEpoch[ri]: the epoch of ri's current attribute commitment
    certExpired,  \* RIs whose certificate period is over at chain time
    sigCache,     \* <<ri, rec, n>>: a validator verified ri's signature on request (rec, n) and cached it
    reqs,         \* accepted requests on SHC (a sequence; index = request id)
    usedNonces,   \* <<ri, n>>: nonces SHC has recorded, per requester
    pending,      \* grants posted by the MI, not yet committed
    grants,       \* committed grants (request ids)
    grantRevoked, \* revoked grants
    kfrags,       \* <<g, c>>: CPC node c holds a kfrag for grant g
    cfrags,       \* cfrags made: [g, c, valid] (valid: grant committed and nothing revoked then)
    receipts,     \* receipts[g][c]: number of receipts on SHC
    refused,      \* <<g, c>>: honest node c refused to re-encrypt for revoked grant g
    knows,        \* <<ri, rec>>: ri knows the content key k of rec
    cpcLearned,   \* <<c, key>>: CPC node c learned k_pre (never, in a correct model)
    act           \* the last action and its arguments (for traces; not part of the VIEW)

vars == <<mdc, recRevoked, anchored, certRevoked, attrRevoked, attrEpoch, certExpired, sigCache, reqs,
          usedNonces, pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned, act>>
stateVars == <<mdc, recRevoked, anchored, certRevoked, attrRevoked, attrEpoch, certExpired, sigCache, reqs,
               usedNonces, pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>
\* The variables of the identities' certificates, attributes and signatures, unchanged by most actions.
idVars == <<certRevoked, attrRevoked, attrEpoch, certExpired, sigCache>>

ReqId == 1..MaxReq
HonestCPC == CPC \ ByzCPC

\* The proof of a request exists iff the attributes satisfy the policy at a current epoch.
ProofExists(ri) == Sat[ri] /\ ri \notin attrRevoked

\* What SHC stores for a request: the epoch its proof was made under (attribute values only in the leaking
\* variant).
RequestTx(ri, rec, n, proof, auth) ==
    IF HideAttributes
    THEN [ri |-> ri, rec |-> rec, nonce |-> n, proof |-> proof, auth |-> auth, epoch |-> attrEpoch[ri]]
    ELSE [ri |-> ri, rec |-> rec, nonce |-> n, proof |-> proof, auth |-> auth, epoch |-> attrEpoch[ri],
          attrs |-> Sat[ri]]

\* The attribute epoch request g was proven under is still ri's current one and unrevoked.
EpochLive(g) == reqs[g].epoch = attrEpoch[reqs[g].ri] /\ reqs[g].ri \notin attrRevoked

Revoked(g) ==
    \/ g \in grantRevoked
    \/ reqs[g].rec \in recRevoked
    \/ reqs[g].ri \in certRevoked
    \/ ~EpochLive(g)

\* What SHC and honest CPC nodes refuse a grant for: Revoked(g); without CheckRequestEpoch they look at the
\* requester's current attribute epoch only, so a new commitment revives older requests.
Refused(g) ==
    IF CheckRequestEpoch THEN Revoked(g)
    ELSE \/ g \in grantRevoked
         \/ reqs[g].rec \in recRevoked
         \/ reqs[g].ri \in certRevoked
         \/ reqs[g].ri \in attrRevoked

\* A signature of ri on request (rec, n) is accepted at inclusion: ri's certificate is unrevoked and within its
\* period; without RecheckPeriod a cached verdict stands in for the period.
SigAccepted(ri, rec, n) ==
    /\ ri \notin certRevoked
    /\ \/ ri \notin certExpired
       \/ ~RecheckPeriod /\ <<ri, rec, n>> \in sigCache

TypeOK ==
    /\ mdc \in [Record -> {"absent", "pending", "committed"}]
    /\ recRevoked \subseteq Record /\ anchored \subseteq Record
    /\ certRevoked \subseteq RI /\ attrRevoked \subseteq RI
    /\ attrEpoch \in [RI -> 1..MaxEpoch] /\ certExpired \subseteq RI
    /\ sigCache \subseteq RI \X Record \X Nonce
    /\ Len(reqs) <= MaxReq
    /\ usedNonces \subseteq RI \X Nonce
    /\ pending \subseteq ReqId /\ grants \subseteq ReqId /\ grantRevoked \subseteq grants
    /\ kfrags \subseteq ReqId \X CPC
    /\ cfrags \subseteq [g : ReqId, c : CPC, valid : BOOLEAN]
    /\ receipts \in [ReqId -> [CPC -> 0..2]]
    /\ knows \subseteq RI \X Record

Init ==
    /\ mdc = [r \in Record |-> "absent"]
    /\ recRevoked = {} /\ anchored = {}
    /\ certRevoked = {} /\ attrRevoked = {}
    /\ attrEpoch = [ri \in RI |-> 1] /\ certExpired = {} /\ sigCache = {}
    /\ reqs = << >> /\ usedNonces = {}
    /\ pending = {} /\ grants = {} /\ grantRevoked = {}
    /\ kfrags = {} /\ cfrags = {}
    /\ receipts = [g \in ReqId |-> [c \in CPC |-> 0]]
    /\ refused = {} /\ knows = {} /\ cpcLearned = {}
    /\ act = [name |-> "Init"]

(* ---- Medical data chain ---- *)

Publish(rec) ==
    /\ mdc[rec] = "absent"
    /\ mdc' = [mdc EXCEPT ![rec] = "pending"]
    /\ act' = [name |-> "Publish", rec |-> rec]
    /\ UNCHANGED <<recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

CommitRecord(rec) ==
    /\ mdc[rec] = "pending"
    /\ mdc' = [mdc EXCEPT ![rec] = "committed"]
    /\ act' = [name |-> "CommitRecord", rec |-> rec]
    /\ UNCHANGED <<recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* A proposed block that never gathers a commit certificate (e.g. replaced after a view change).
DropRecord(rec) ==
    /\ mdc[rec] = "pending"
    /\ mdc' = [mdc EXCEPT ![rec] = "absent"]
    /\ act' = [name |-> "DropRecord", rec |-> rec]
    /\ UNCHANGED <<recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* A relayer posts the MDC header holding rec onto SHC; SHC checks its commit certificate.
Anchor(rec) ==
    /\ rec \notin anchored
    /\ IF CheckAnchorCert THEN mdc[rec] = "committed" ELSE mdc[rec] # "absent"
    /\ anchored' = anchored \cup {rec}
    /\ act' = [name |-> "Anchor", rec |-> rec]
    /\ UNCHANGED <<mdc, recRevoked, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

RevokeRecord(rec) ==
    /\ mdc[rec] = "committed" /\ rec \notin recRevoked
    /\ recRevoked' = recRevoked \cup {rec}
    /\ act' = [name |-> "RevokeRecord", rec |-> rec]
    /\ UNCHANGED <<mdc, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

(* ---- Sharing chain ---- *)

\* SHC accepts a request: anchored, unrevoked record, proof, a nonce ri has not used, valid signature under
\* a certificate unrevoked and within its period (auth: what is true; SigAccepted: what SHC checks).
\* signed = FALSE is the adversary's forgery in ri's name.
Accept(ri, rec, n, signed) ==
    LET proof == ProofExists(ri)
        auth == signed /\ ri \notin certRevoked /\ ri \notin certExpired
    IN
    /\ Len(reqs) < MaxReq
    /\ rec \in anchored
    /\ rec \notin recRevoked
    /\ <<ri, n>> \notin usedNonces
    /\ CheckProof => proof
    /\ CheckSig => signed /\ SigAccepted(ri, rec, n)
    /\ reqs' = Append(reqs, RequestTx(ri, rec, n, proof, auth))
    /\ usedNonces' = IF RecordNonce THEN usedNonces \cup {<<ri, n>>} ELSE usedNonces

Request(ri, rec, n) ==
    /\ Accept(ri, rec, n, TRUE)
    /\ act' = [name |-> "Request", ri |-> ri, rec |-> rec, nonce |-> n]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, pending, grants, grantRevoked,
                   kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* The adversary posts a request in another RI's name without its signing key.
Forge(ri, rec, n) ==
    /\ ri # Adversary
    /\ Accept(ri, rec, n, FALSE)
    /\ act' = [name |-> "Forge", ri |-> ri, rec |-> rec, nonce |-> n]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, pending, grants, grantRevoked,
                   kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* The adversary re-sends an accepted request verbatim (same nonce, same signature).
Replay(i) ==
    /\ i \in 1..Len(reqs)
    /\ Len(reqs) < MaxReq
    /\ reqs[i].rec \notin recRevoked
    /\ <<reqs[i].ri, reqs[i].nonce>> \notin usedNonces
    /\ CheckSig => SigAccepted(reqs[i].ri, reqs[i].rec, reqs[i].nonce)
    /\ reqs' = Append(reqs, reqs[i])
    /\ act' = [name |-> "Replay", i |-> i]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* The MI posts a grant for request i and hands a kfrag to every CPC node.
Grant(i) ==
    /\ i \in 1..Len(reqs)
    /\ i \notin pending \cup grants
    /\ CheckProof => reqs[i].proof
    /\ CheckRevocation => ~Refused(i)
    /\ pending' = pending \cup {i}
    /\ kfrags' = kfrags \cup ({i} \X CPC)
    /\ act' = [name |-> "Grant", i |-> i]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, grants,
                   grantRevoked, cfrags, receipts, refused, knows, cpcLearned>>

\* SHC commits a pending grant if it is still valid (unrevoked request and record) ...
CommitGrant(i) ==
    /\ i \in pending
    /\ CheckRevocation => ~Refused(i)
    /\ pending' = pending \ {i}
    /\ grants' = grants \cup {i}
    /\ act' = [name |-> "CommitGrant", i |-> i]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, grantRevoked,
                   kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* ... or drops it.
DropGrant(i) ==
    /\ i \in pending
    /\ pending' = pending \ {i}
    /\ act' = [name |-> "DropGrant", i |-> i]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

RevokeGrant(i) ==
    /\ i \in grants \ grantRevoked
    /\ grantRevoked' = grantRevoked \cup {i}
    /\ act' = [name |-> "RevokeGrant", i |-> i]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   kfrags, cfrags, receipts, refused, knows, cpcLearned>>

RevokeCert(ri) ==
    /\ ri \notin certRevoked
    /\ certRevoked' = certRevoked \cup {ri}
    /\ act' = [name |-> "RevokeCert", ri |-> ri]
    /\ UNCHANGED <<mdc, recRevoked, anchored, attrRevoked, attrEpoch, certExpired, sigCache, reqs, usedNonces,
                   pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* Chain time passes the end of ri's certificate period.
ExpireCert(ri) ==
    /\ ri \notin certExpired
    /\ certExpired' = certExpired \cup {ri}
    /\ act' = [name |-> "ExpireCert", ri |-> ri]
    /\ UNCHANGED <<mdc, recRevoked, anchored, certRevoked, attrRevoked, attrEpoch, sigCache, reqs, usedNonces,
                   pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* A validator verifies ri's signature on its request (rec, n) on an anchored record before the request is
\* included (a proposal that does not commit) and caches the verdict.
CacheVerdict(ri, rec, n) ==
    /\ rec \in anchored
    /\ ri \notin certRevoked /\ ri \notin certExpired
    /\ <<ri, rec, n>> \notin sigCache
    /\ sigCache' = sigCache \cup {<<ri, rec, n>>}
    /\ act' = [name |-> "CacheVerdict", ri |-> ri, rec |-> rec, nonce |-> n]
    /\ UNCHANGED <<mdc, recRevoked, anchored, certRevoked, attrRevoked, attrEpoch, certExpired, reqs,
                   usedNonces, pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows,
                   cpcLearned>>

\* The authority revokes ri's current attribute epoch without re-issuing its key.
RevokeAttributes(ri) ==
    /\ ri \notin attrRevoked
    /\ attrRevoked' = attrRevoked \cup {ri}
    /\ act' = [name |-> "RevokeAttributes", ri |-> ri]
    /\ UNCHANGED <<mdc, recRevoked, anchored, certRevoked, attrEpoch, certExpired, sigCache, reqs, usedNonces,
                   pending, grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

\* The authority commits ri's attributes again, at a new epoch, after revoking the current one (with a new
\* key for that epoch).
RecommitAttributes(ri) ==
    /\ ri \in attrRevoked
    /\ attrEpoch[ri] < MaxEpoch
    /\ attrEpoch' = [attrEpoch EXCEPT ![ri] = @ + 1]
    /\ attrRevoked' = attrRevoked \ {ri}
    /\ act' = [name |-> "RecommitAttributes", ri |-> ri]
    /\ UNCHANGED <<mdc, recRevoked, anchored, certRevoked, certExpired, sigCache, reqs, usedNonces, pending,
                   grants, grantRevoked, kfrags, cfrags, receipts, refused, knows, cpcLearned>>

(* ---- Cloud privacy center ---- *)

\* An honest CPC node re-encrypts the capsule for grant g and posts a receipt.
Reencrypt(g, c) ==
    /\ c \in HonestCPC
    /\ <<g, c>> \in kfrags
    /\ CheckGrant => g \in grants
    /\ CheckRevocation => ~Refused(g)
    /\ DedupReceipts => receipts[g][c] = 0
    /\ receipts[g][c] < 2
    /\ cfrags' = cfrags \cup {[g |-> g, c |-> c, valid |-> g \in grants /\ ~Revoked(g)]}
    /\ receipts' = [receipts EXCEPT ![g][c] = @ + 1]
    /\ act' = [name |-> "Reencrypt", g |-> g, c |-> c]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, refused, knows, cpcLearned>>

\* An honest CPC node refuses a committed grant that has since been revoked.
Refuse(g, c) ==
    /\ c \in HonestCPC
    /\ <<g, c>> \in kfrags
    /\ g \in grants
    /\ Refused(g)
    /\ <<g, c>> \notin refused
    /\ refused' = refused \cup {<<g, c>>}
    /\ act' = [name |-> "Refuse", g |-> g, c |-> c]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, knows, cpcLearned>>

\* A Byzantine CPC node re-encrypts whenever it holds a kfrag (no receipt).
ByzReencrypt(g, c) ==
    /\ c \in ByzCPC
    /\ <<g, c>> \in kfrags
    /\ cfrags' = cfrags \cup {[g |-> g, c |-> c, valid |-> g \in grants /\ ~Revoked(g)]}
    /\ act' = [name |-> "ByzReencrypt", g |-> g, c |-> c]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, receipts, refused, knows, cpcLearned>>

Holders(g) == {cf.c : cf \in {x \in cfrags : x.g = g}}

\* A Byzantine CPC node combining T cfrags opens k_pre only if they re-encrypt to a key it holds.
ByzOpen(g, c) ==
    /\ c \in ByzCPC
    /\ ~KfragToRI
    /\ Cardinality(Holders(g)) >= T
    /\ <<c, "k_pre">> \notin cpcLearned
    /\ cpcLearned' = cpcLearned \cup {<<c, "k_pre">>}
    /\ act' = [name |-> "ByzOpen", g |-> g, c |-> c]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, knows>>

(* ---- Research institution ---- *)

\* ri opens k_pre from T cfrags made for its request g, and k_abe with a current attribute key.
Decrypt(ri, g) ==
    /\ g \in 1..Len(reqs)
    /\ reqs[g].ri = ri
    /\ <<ri, reqs[g].rec>> \notin knows
    /\ Cardinality(Holders(g)) >= T
    /\ Sat[ri] /\ ri \notin attrRevoked
    /\ knows' = knows \cup {<<ri, reqs[g].rec>>}
    /\ act' = [name |-> "Decrypt", ri |-> ri, g |-> g]
    /\ UNCHANGED <<mdc, recRevoked, anchored, idVars, reqs, usedNonces, pending, grants,
                   grantRevoked, kfrags, cfrags, receipts, refused, cpcLearned>>

Next ==
    \/ \E rec \in Record :
          Publish(rec) \/ CommitRecord(rec) \/ DropRecord(rec) \/ Anchor(rec) \/ RevokeRecord(rec)
    \/ \E ri \in RI, rec \in Record, n \in Nonce :
          Request(ri, rec, n) \/ Forge(ri, rec, n) \/ CacheVerdict(ri, rec, n)
    \/ \E i \in ReqId :
          Replay(i) \/ Grant(i) \/ CommitGrant(i) \/ DropGrant(i) \/ RevokeGrant(i)
    \/ \E ri \in RI : RevokeCert(ri) \/ ExpireCert(ri) \/ RevokeAttributes(ri) \/ RecommitAttributes(ri)
    \/ \E g \in ReqId, c \in CPC : Reencrypt(g, c) \/ Refuse(g, c) \/ ByzReencrypt(g, c) \/ ByzOpen(g, c)
    \/ \E ri \in RI, g \in ReqId : Decrypt(ri, g)

Spec == Init /\ [][Next]_vars

(* ---- Properties (docs/design.md section 2) ----                         *)

\* A principal knows k of rec only if its attributes satisfy the policy and an honest CPC node
\* re-encrypted for a grant to it that was committed and not revoked at that time (nor the attribute
\* epoch its request was proven under).
AccessSoundness ==
    \A p \in knows :
        /\ Sat[p[1]]
        /\ \E cf \in cfrags :
              /\ cf.valid /\ cf.c \in HonestCPC
              /\ reqs[cf.g].ri = p[1] /\ reqs[cf.g].rec = p[2]

\* No CPC node ever learns k, k_abe or k_pre.
CPCBlindness == cpcLearned = {}

\* Every SHC reference resolves to a record in a committed MDC block.
AnchorConsistency ==
    /\ \A rec \in anchored : mdc[rec] = "committed"
    /\ \A i \in 1..Len(reqs) : reqs[i].rec \in anchored

\* Every accepted request carries its sender's signature under a certificate unrevoked and within its
\* period at inclusion.
Authenticity == \A i \in 1..Len(reqs) : reqs[i].auth

\* A nonce is accepted once per requester; a receipt once per (grant, CPC node).
NoReplay ==
    /\ \A i, j \in 1..Len(reqs) : i # j => <<reqs[i].ri, reqs[i].nonce>> # <<reqs[j].ri, reqs[j].nonce>>
    /\ \A g \in ReqId, c \in CPC : receipts[g][c] <= 1

\* SHC holds commitments and proofs, never attribute values.
AttributePrivacy == \A i \in 1..Len(reqs) : "attrs" \notin DOMAIN reqs[i]

\* Audit: every receipt follows a committed grant, every grant a verified request on an anchored record.
AuditTrail ==
    /\ \A g \in pending \cup grants : reqs[g].proof /\ reqs[g].rec \in anchored
    /\ \A g \in ReqId, c \in CPC : receipts[g][c] > 0 => g \in grants

(* ---- Witnesses: false at a goal, so TLC prints a trace reaching it ---- *)
NoDecryption == knows = {}
NoRefusal == refused = {}
=============================================================================
