#!/usr/bin/python3
"""The reference-client oracle for L2's .ots files (lib/anchors/reference-client.test.ts).

Usage: verify_ots.py PROOF.ots ACTIVITY_BODY_FILE [ESPLORA_URL]

Parses the proof with python-opentimestamps (Debian python3-opentimestamps), checks that its file
digest is the SHA-256 of the activity's bytes, walks every attestation, and for each Bitcoin
attestation fetches the block from ESPLORA_URL (the same API L2 uses) and runs the reference
verify_against_blockheader on a header carrying that block's merkle root and time.
Prints one JSON object; exit status 0 unless the arguments are wrong.
"""
import hashlib
import json
import sys
import urllib.request

from bitcoin.core import CBlockHeader, lx
from opentimestamps.core.notary import BitcoinBlockHeaderAttestation, PendingAttestation, VerificationError
from opentimestamps.core.serialize import BytesDeserializationContext
from opentimestamps.core.timestamp import DetachedTimestampFile


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.read()


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    proof = open(sys.argv[1], "rb").read()
    body = open(sys.argv[2], "rb").read()
    esplora = sys.argv[3].rstrip("/") if len(sys.argv) == 4 else None
    out = {"parsed": False}
    try:
        detached = DetachedTimestampFile.deserialize(BytesDeserializationContext(proof))
    except Exception as exc:  # any reference parse error: the proof is rejected
        out["error"] = "%s: %s" % (exc.__class__.__name__, exc)
        print(json.dumps(out))
        return 0
    out["parsed"] = True
    out["file_hash_op"] = str(detached.file_hash_op)
    out["file_digest"] = detached.file_digest.hex()
    out["digest_matches"] = detached.file_digest == hashlib.sha256(body).digest()
    attestations = []
    for msg, att in detached.timestamp.all_attestations():
        entry = {"msg": msg.hex()}
        if isinstance(att, PendingAttestation):
            entry.update(kind="pending", uri=att.uri)
        elif isinstance(att, BitcoinBlockHeaderAttestation):
            entry.update(kind="bitcoin", height=att.height)
            if esplora:
                try:
                    block_hash = fetch("%s/block-height/%d" % (esplora, att.height)).decode().strip()
                    block = json.loads(fetch("%s/block/%s" % (esplora, block_hash)))
                    header = CBlockHeader(hashMerkleRoot=lx(block["merkle_root"]), nTime=block["timestamp"])
                    entry["verified_time"] = att.verify_against_blockheader(msg, header)
                    entry["verified"] = True
                except VerificationError as exc:
                    entry.update(verified=False, error=str(exc))
                except Exception as exc:
                    entry.update(verified=False, error="%s: %s" % (exc.__class__.__name__, exc))
        else:
            entry.update(kind="other", repr=repr(att))
        attestations.append(entry)
    attestations.sort(key=lambda e: (e["kind"], json.dumps(e, sort_keys=True)))
    out["attestations"] = attestations
    # Re-serialising what was parsed must give the very same bytes (L2 writes the canonical form).
    from opentimestamps.core.serialize import BytesSerializationContext
    ctx = BytesSerializationContext()
    detached.serialize(ctx)
    out["reserialized_identical"] = ctx.getbytes() == proof
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
