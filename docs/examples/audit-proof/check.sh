#!/usr/bin/env bash
# Checks an inclusion proof (tributary-audit-proof/1, docs/audit.md "Inclusion proofs") with
# jq, sha256sum, xxd, base64 and openssl only: no Tributary code, no database.
#   bash check.sh PROOF.json JWKS.json      exit 0 valid, 1 a mismatch (named), other: bad input
# For version-2 events (and version-2 links); a version-1 (legacy) event is hashed as
# SHA-256(header "\n" prev_hash), see the docs.
set -euo pipefail
P=${1:?usage: check.sh PROOF.json JWKS.json}; J=${2:?usage: check.sh PROOF.json JWKS.json}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
sha() { sha256sum | cut -c1-64; }
node() { { printf '\001'; printf '%s%s' "$1" "$2" | xxd -r -p; } | sha; }
b64url() { local s; s=$(tr '_-' '/+'); while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done; printf '%s' "$s" | base64 -d; }
mismatch() { echo "INVALID: $*" >&2; exit 1; }
[ "$(jq -r .event.version "$P")" = 2 ] || { echo "this script checks version-2 events only" >&2; exit 2; }

# 1. The item's leaf: SHA-256(0x00 || UTF-8 bytes of the canonical item).
leaf=$({ printf '\000'; jq -j .item.canonical "$P"; } | sha)
[ "$leaf" = "$(jq -r .leaf_hash "$P")" ] || mismatch "ALTERED_ITEM: the item hashes to $leaf"
echo "leaf        $leaf"

# 2. The path (RFC 9162 section 2.1.3.2): fn = leaf_index, sn = tree_size - 1; for each sibling p:
#    if fn is odd or fn = sn: r = node(p, r), then (if fn was even) halve fn and sn until fn is odd or 0;
#    else r = node(r, p); then halve fn and sn. The path fits the tree only if sn ends at 0.
fn=$(jq .leaf_index "$P"); sn=$(( $(jq .tree_size "$P") - 1 )); r=$leaf
for p in $(jq -r '.path[]' "$P"); do
  [ "$sn" -ne 0 ] || mismatch "WRONG_PATH: too many hashes"
  if [ $(( fn % 2 )) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    r=$(node "$p" "$r")
    if [ $(( fn % 2 )) -eq 0 ]; then while [ $(( fn % 2 )) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$(( fn / 2 )); sn=$(( sn / 2 )); done; fi
  else
    r=$(node "$r" "$p")
  fi
  fn=$(( fn / 2 )); sn=$(( sn / 2 ))
done
[ "$sn" -eq 0 ] && [ "$r" = "$(jq -r .event.items_root "$P")" ] || mismatch "WRONG_PATH: the path leads to $r"
[ "$(jq -r .tree_size "$P")" = "$(jq -r '.event.header | fromjson | .[18]' "$P")" ] || mismatch "WRONG_PATH: tree_size is not the header's item count"
echo "items_root  $r"

# 3. The event's hash: SHA-256(prev_hash "\n" canonical header "\n" items_root).
h=$({ jq -j .event.prev_hash "$P"; printf '\n'; jq -j .event.header "$P"; printf '\n'; printf '%s' "$r"; } | sha)
[ "$h" = "$(jq -r .event.hash "$P")" ] || mismatch "BROKEN_LINK: the event hashes to $h"
echo "event       $h"

# 4. Each later event: SHA-256(previous hash "\n" its canonical header "\n" its items_root).
for i in $(seq 0 $(( $(jq '.links | length' "$P") - 1 ))); do
  h=$({ printf '%s\n' "$h"; jq -j ".links[$i].header" "$P"; printf '\n'; jq -j ".links[$i].items_root" "$P"; } | sha)
  [ "$h" = "$(jq -r ".links[$i].hash" "$P")" ] || mismatch "BROKEN_LINK: link $i hashes to $h"
  echo "link $i      $h"
done

# 5. The checkpoint: ES256 over "<protected header>.<payload>" with the key of the JWS's kid FROM THE JWKS.
JWS=$(jq -j .checkpoint.jws "$P")
KID=$(printf '%s' "${JWS%%.*}" | b64url | jq -j .kid)
[ "$(jq --arg k "$KID" '[.keys[] | select(.kid == $k)] | length' "$J")" -ge 1 ] || { echo "UNKNOWN_KEY: the JWKS holds no key $KID" >&2; exit 2; }
printf '%s' "${JWS%.*}" > "$W/signing-input"
printf '%s' "${JWS##*.}" | b64url > "$W/sig.raw"
# JWS carries r || s (32 bytes each); openssl wants DER: SEQUENCE { INTEGER r, INTEGER s }.
int() { local x; x=$(xxd -p -c 64 | sed 's/^\(00\)*//'); [ $(( 0x${x:0:2} & 0x80 )) -ne 0 ] && x="00$x"; printf '02%02x%s' $(( ${#x} / 2 )) "$x"; }
R=$(head -c 32 "$W/sig.raw" | int); S=$(tail -c 32 "$W/sig.raw" | int)
printf '30%02x%s%s' $(( (${#R} + ${#S}) / 2 )) "$R" "$S" | xxd -r -p > "$W/sig.der"
# The P-256 public key as SubjectPublicKeyInfo DER: a fixed prefix, 04, x, y.
X=$(jq -j --arg k "$KID" '[.keys[] | select(.kid == $k)][0].x' "$J" | b64url | xxd -p -c 64)
Y=$(jq -j --arg k "$KID" '[.keys[] | select(.kid == $k)][0].y' "$J" | b64url | xxd -p -c 64)
printf '3059301306072a8648ce3d020106082a8648ce3d03010703420004%s%s' "$X" "$Y" | xxd -r -p | openssl pkey -pubin -inform DER -out "$W/key.pem"
openssl dgst -sha256 -verify "$W/key.pem" -signature "$W/sig.der" "$W/signing-input" > /dev/null || mismatch "BAD_SIGNATURE: key $KID does not verify the checkpoint"
PAYLOAD=$(printf '%s' "$JWS" | cut -d. -f2 | b64url)
LAST_SEQ=$(jq -r 'if (.links | length) > 0 then .links[-1].seq else (.event.header | fromjson | .[2]) end' "$P")
CHAIN=$(jq -r '.event.header | fromjson | .[1]' "$P")
[ "$(jq -r .headHash <<< "$PAYLOAD")" = "$h" ] && [ "$(jq -r .seq <<< "$PAYLOAD")" = "$LAST_SEQ" ] && [ "$(jq -r .chain <<< "$PAYLOAD")" = "$CHAIN" ] ||
  mismatch "CHECKPOINT_MISMATCH: the signed checkpoint is $PAYLOAD"
echo "checkpoint  $PAYLOAD"
echo "VALID: $(jq -r .item.id "$P") (signed by $KID)"
