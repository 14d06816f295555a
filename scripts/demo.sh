#!/usr/bin/env bash
# The quickstart demo: builds a throwaway git checkout whose last commit changes an eventlet
# service (fixtures/demo/before → after) and reviews that commit, as a developer would with
# `eventlet-review check --base HEAD~1`. Needs no credentials and no network.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(mktemp -d "${TMPDIR:-/tmp}/eventlet-review-demo.XXXXXX")
trap 'rm -rf "$repo"' EXIT
git -C "$repo" init -q -b main
cp -r "$here/fixtures/demo/before/." "$repo/"
git -C "$repo" add -A && git -C "$repo" -c user.name=demo -c user.email=demo@example.invalid commit -qm "myservice: base"
cp -r "$here/fixtures/demo/after/." "$repo/"
git -C "$repo" add -A && git -C "$repo" -c user.name=demo -c user.email=demo@example.invalid commit -qm "myservice: the change under review"
echo "\$ eventlet-review check --base HEAD~1 (in a demo checkout)"
cd "$repo"
status=0
node "$here/bin/eventlet-review.js" check --base HEAD~1 . || status=$?
echo "exit status: $status (1 = findings at or above the fail level)"
