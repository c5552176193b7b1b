#!/usr/bin/env bash
# Copies the web map's front-end dependencies from the npm registry into ../static/maps/vendor/,
# where Django serves them (no CDN). Run after changing package.json:
#   cd gis_backend/maps/frontend && npm ci && ./vendor.sh
set -euo pipefail
cd "$(dirname "$0")"
target=../static/maps/vendor/maplibre-gl
rm -rf "$target" && mkdir -p "$target"
dist=node_modules/maplibre-gl/dist
cp "$dist/maplibre-gl.mjs" "$dist/maplibre-gl-worker.mjs" "$dist/maplibre-gl.css" \
   node_modules/maplibre-gl/LICENSE.txt "$target/"
# Source maps are not copied: the minified files reference them only in a comment.
sed -i '/^\/\/# sourceMappingURL=/d' "$target"/*.mjs
echo "maplibre-gl $(node -p "require('./node_modules/maplibre-gl/package.json').version") → $target"
