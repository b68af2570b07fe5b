#!/usr/bin/env bash
# What a CI job calls to deploy one stack: installs, deploys, leaves the outputs in outputs.json.
#   STACK=staging PULUMI_BACKEND_URL=… PULUMI_CONFIG_PASSPHRASE=… ./ci.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
: "${STACK:?set STACK}" "${PULUMI_BACKEND_URL:?set PULUMI_BACKEND_URL}"
export PULUMI_SKIP_UPDATE_CHECK=true
npm install --no-audit --no-fund >&2
npx ts-node deploy.ts up > outputs.json
echo "outputs of $STACK written to outputs.json" >&2
