#!/usr/bin/env bash
# Scaffolds packages/<name> (or apps/<name> with --app): package.json, tsconfigs, jest config, src/index.ts.
# Usage: scripts/new-package.sh [--app] <name> "<description>"
set -euo pipefail
kind=packages
if [ "${1:-}" = "--app" ]; then kind=apps; shift; fi
name="$1"; desc="${2:-}"
dir="$(cd "$(dirname "$0")/.." && pwd)/$kind/$name"
[ -e "$dir" ] && { echo "$dir exists" >&2; exit 1; }
mkdir -p "$dir/src"
cat > "$dir/package.json" <<JSON
{
  "name": "@mealwise/$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "exports": {
    ".": {
      "@mealwise/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc --noEmit",
    "lint": "biome check .",
    "test": "node ../../scripts/jest.mjs"
  },
  "dependencies": {},
  "devDependencies": {}
}
JSON
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "test"]
}
JSON
cat > "$dir/tsconfig.build.json" <<'JSON'
{
  "extends": "./tsconfig.json",
  "compilerOptions": {
    "noEmit": false,
    "rootDir": "src",
    "outDir": "dist",
    "customConditions": []
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat > "$dir/jest.config.js" <<'JS'
import { jestConfig } from '../../jest.preset.js';

export default jestConfig();
JS
echo "export {};" > "$dir/src/index.ts"
echo "created $dir"
