#!/usr/bin/env bash
# A real llama-server (llama.cpp of September 2026) and tiny gpt-oss-templated models, for the end-to-end tests.
#   scripts/llama-server.sh build   builds what is missing into the cache dir (cold: minutes; warm: seconds)
#   scripts/llama-server.sh path    prints the cache dir
# The llama.cpp source is the git bundle inside the npm package node-llama-cpp (the npm registry is reachable here,
# GitHub is not). Needs cmake, a C++ compiler, git, and python3 with numpy and yaml (for llama.cpp's gguf-py).
set -euo pipefail

NODE_LLAMA_CPP_VERSION=3.22.1
COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6 # the one commit of that package's bundle

here="$(cd "$(dirname "$0")" && pwd)"
# Outside the clone (CI starts from a clean one) and not under ~ (tests may run the server as `nobody`).
cache="${GPT_OSS_CI_CACHE:-/var/tmp/gpt-oss-ci}"
dir="$cache/llama-server-${COMMIT:0:7}"

say() { printf '== llama-server: %s\n' "$*" >&2; }

staging=""
trap 'rm -rf "$staging"' EXIT # a build broken off leaves no half-made directory behind

check_tools() {
  local missing=()
  for tool in cmake c++ make git npm python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  python3 -c 'import numpy, yaml' 2>/dev/null || missing+=("python3 numpy/yaml")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "llama-server: missing ${missing[*]}; on Debian: apt-get install cmake g++ make git python3-numpy python3-yaml" >&2
    exit 1
  fi
}

fetch_source() {
  [ -d "$dir/src/.git" ] && return
  say "fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION (llama.cpp source)"
  staging="$(mktemp -d "$cache/.llama-src-XXXXXX")"
  (cd "$staging" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null)
  tar -xzf "$staging/node-llama-cpp-$NODE_LLAMA_CPP_VERSION.tgz" -C "$staging" package/llama/gitRelease.bundle
  git -c advice.detachedHead=false clone --quiet "$staging/package/llama/gitRelease.bundle" "$staging/src"
  local got
  got="$(git -C "$staging/src" rev-parse HEAD)"
  [ "$got" = "$COMMIT" ] || { echo "llama-server: the bundle holds $got, not $COMMIT" >&2; exit 1; }
  mv "$staging/src" "$dir/src"
  rm -rf "$staging"
}

build_server() {
  [ -x "$dir/bin/llama-server" ] && return
  say "building llama-server (nice 19, $(nproc) jobs)"
  # Static, without the web UI and without an HTTPS client: nothing more is downloaded.
  nice -n 19 cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF >/dev/null
  nice -n 19 cmake --build "$dir/build" -j "$(nproc)" --target llama-server
  mkdir -p "$dir/bin"
  cp "$dir/build/bin/llama-server" "$dir/bin/llama-server.tmp"
  mv "$dir/bin/llama-server.tmp" "$dir/bin/llama-server"
}

# Remade when the script that makes them changes (its hash is kept beside them).
make_models() {
  local made_by
  made_by="$(sha256sum "$here/llama-server/make-tiny-model.py" | cut -c1-16)"
  [ "$(cat "$dir/models/.made-by" 2>/dev/null)" = "$made_by" ] && return
  say "making the tiny models"
  local template="$dir/src/models/templates/openai-gpt-oss-120b.jinja"
  staging="$(mktemp -d "$cache/.llama-models-XXXXXX")"
  export PYTHONPATH="$dir/src/gguf-py"
  nice -n 19 python3 "$here/llama-server/make-tiny-model.py" "$staging/tiny-gpt-oss.gguf" "$template" --seed 1234 >&2
  nice -n 19 python3 "$here/llama-server/make-tiny-model.py" "$staging/tiny-gpt-oss-b.gguf" "$template" \
    --seed 4321 --name tiny-random-harmony-b >&2
  echo "$made_by" >"$staging/.made-by"
  rm -rf "$dir/models" "$dir/router-models"
  mkdir "$dir/router-models"
  cp "$staging/tiny-gpt-oss.gguf" "$staging/tiny-gpt-oss-b.gguf" "$dir/router-models/"
  mv "$staging" "$dir/models"
  staging=""
}

build() {
  check_tools
  mkdir -p "$dir"
  exec 9>"$cache/llama-server.lock"
  flock 9 # one build at a time
  local t0=$SECONDS
  fetch_source
  build_server
  make_models
  local grammar="$here/llama-server/harmony.gbnf"
  cmp -s "$grammar" "$dir/harmony.gbnf" || install -m 644 "$grammar" "$dir/harmony.gbnf"
  chmod a+rx "$cache"
  chmod -R a+rX "$dir"
  say "ready in $dir ($((SECONDS - t0)) s)"
}

case "${1:-}" in
  build) build ;;
  path) echo "$dir" ;;
  *)
    echo "usage: $0 build|path" >&2
    exit 2
    ;;
esac
