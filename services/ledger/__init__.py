"""The tamper-evident ledger: an RFC 9162 Merkle tree over the event log and the inbox, signed
checkpoints (C2SP signed notes), verification and inclusion proofs."""
