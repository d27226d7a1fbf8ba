#!/usr/bin/env bash
# Record test/fixtures/tutor/: from the lab's start (`lab vm reset`, then `lab reset`), do the course's steps by hand
# (scripts/tutor-steps.sh) one at a time on an lvs-nat `lab vm` instance, and record after each what `lab verify` and
# `lab progress` read on every host (scripts/record-verify.js).
# Usage (after `npm run build` and `lab vm up lvs-nat --instance I`): bash scripts/record-tutor-states.sh I
set -euo pipefail
cd "$(dirname "$0")/.."
instance=${1:?usage: record-tutor-states.sh INSTANCE}
inv=".lab/$instance/inventory.yaml"
out=test/fixtures/tutor
lab() { node bin/lab.js "$@" --instance "$instance"; }
step() { # step ID HOST...: the hand commands of that step on each host
  local id=$1 h
  shift
  for h in "$@"; do node bin/lab.js ssh lvs-nat "$h" --instance "$instance" -- "$(bash scripts/tutor-steps.sh "$id" "$h")" >/dev/null; done
}
record() { rm -rf "${out:?}/$1"; node scripts/record-verify.js lvs-nat "$inv" "$out/$1" 2>/dev/null; echo "$1: recorded"; }

lab vm reset lvs-nat >/dev/null
lab reset lvs-nat >/dev/null
record start
step 1.1 web1; record 1.1-web1
step 1.1 web2; record 1.1
step 1.2 web1 web2 proxy; step 1.3 web1 web2; record 1.3
step 2.1 proxy; record 2.1
step 2.2 proxy; record 2.2
step 2.3 proxy; record 2.3
step 2.4 proxy; step 3 client; record 3
sed "s#$(pwd)/##" "$inv" > "$out/inventory.yaml"   # key paths relative
