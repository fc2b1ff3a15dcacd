#!/usr/bin/env bash
# mealwise set-up: brings what this machine lacks (Node.js 22, the pinned pnpm) into ./.toolchain
# (git-ignored; the machine's own node is never touched) and installs the workspace.
#
#   source scripts/setup.sh    # also puts the toolchain on PATH in this shell
#   bash scripts/setup.sh      # then: export PATH="$PWD/.toolchain/bin:$PATH"
#
# On a machine that already has Node >= 22 and pnpm 12, it only runs `pnpm install`.
# Works when sourced (no `set -e`, no `exit`: failures `return` so the caller's shell survives).

mealwise_setup() {
  local root node_pin pnpm_pin tc os arch pkg
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  node_pin="22.23"   # newest Node 22 LTS line published for every platform below
  # The pin lives in package.json devEngines.packageManager.version.
  pnpm_pin="$(sed -n '/"packageManager"/,/}/s/.*"version": *"\([0-9.]*\)".*/\1/p' "$root/package.json" | head -1)"
  tc="$root/.toolchain"

  node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

  # Prefer a toolchain installed earlier by this script.
  if [ -x "$tc/bin/node" ] || [ -x "$tc/bin/pnpm" ]; then export PATH="$tc/bin:$PATH"; fi

  local want=()
  if ! command -v node >/dev/null || [ "$(node_major node)" -lt 22 ]; then
    case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "setup: unsupported OS $(uname -s); install Node 22 yourself" >&2; return 1 ;; esac
    case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "setup: unsupported CPU $(uname -m); install Node 22 yourself" >&2; return 1 ;; esac
    pkg="node-$os-$arch@$node_pin"
    want+=("$pkg")
  fi
  if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_pin" ]; then
    want+=("pnpm@$pnpm_pin")
  fi

  if [ ${#want[@]} -gt 0 ]; then
    if ! command -v npm >/dev/null; then
      echo "setup: need npm to fetch ${want[*]} (or install Node >= 22 and pnpm $pnpm_pin yourself)" >&2
      return 1
    fi
    echo "setup: installing ${want[*]} into .toolchain/"
    npm install --global --prefix "$tc" --no-fund --no-audit --loglevel=error "${want[@]}" || {
      echo "setup: npm could not install ${want[*]}" >&2
      return 1
    }
    export PATH="$tc/bin:$PATH"
  fi

  echo "setup: node $(node --version), pnpm $(pnpm --version)"
  (cd "$root" && pnpm install --frozen-lockfile) || {
    echo "setup: pnpm install failed" >&2
    return 1
  }
  if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$(command -v node)" = "$tc/bin/node" -o "$(command -v pnpm)" = "$tc/bin/pnpm" ]; then
    echo
    echo "setup: done. Put the toolchain on PATH in your shell:"
    echo "  export PATH=\"$tc/bin:\$PATH\""
  else
    echo "setup: done."
  fi
}

mealwise_setup "$@"
__mealwise_rc=$?
unset -f mealwise_setup
if [ "${BASH_SOURCE[0]}" = "$0" ]; then exit $__mealwise_rc; else return $__mealwise_rc; fi
