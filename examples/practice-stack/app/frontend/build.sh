#!/bin/sh
# Stands in for `vite build`: the npm registry is out of reach here, so the Vite output is
# committed in prebuilt/ and this copies it to dist/, baking VITE_API_URL into the bundle
# the way Vite replaces import.meta.env.VITE_API_URL at build time.
set -eu
: "${VITE_API_URL:?set VITE_API_URL to the backend's public URL}"
rm -rf dist
cp -R prebuilt dist
for js in dist/assets/*.js; do
  sed "s|__VITE_API_URL__|${VITE_API_URL%/}|g" "$js" > "$js.tmp"
  mv "$js.tmp" "$js"
done
echo "built dist/ for $VITE_API_URL"
