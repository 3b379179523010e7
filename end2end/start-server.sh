#!/usr/bin/env bash
# Starts the built server for the end-to-end suite on a fresh data directory with a closed docket
# beside the demo docket. OPENDOCKET_BIN and OPENDOCKET_DATA_DIR come from the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OPENDOCKET_BIN:?set OPENDOCKET_BIN to the built opendocket binary}"
: "${OPENDOCKET_DATA_DIR:?set OPENDOCKET_DATA_DIR to an empty directory}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
# Every test comes from 127.0.0.1: the per-network limits (tested through the router in the
# integration tests) are raised so a whole suite is not one flooding network.
export OPENDOCKET_COMMENT_LIMITS=100000/100000,100000/100000
export OPENDOCKET_SIGN_IN_LIMITS=100000/100000,100000/100000
export OPENDOCKET_READ_LIMITS=100000/100000,100000/100000
# The free-space floor (tested in the integration tests) is lowered so a machine whose disk is
# mostly full still receives the suite's small files.
export OPENDOCKET_MIN_FREE_SPACE=100MB
"$OPENDOCKET_BIN" docket create --id FTC-2022-0001 --title "A closed consultation" \
  --agency "Federal Trade Commission" --time-zone America/New_York \
  --opens-at 2022-01-03T14:00:00Z --due-date 2022-02-02 > /dev/null
# An open docket that asks every browser for a proof of work.
"$OPENDOCKET_BIN" docket create --id FTC-2026-0042 --title "A docket that asks for a proof of work" \
  --agency "Federal Trade Commission" --time-zone America/New_York \
  --opens-at "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" --due-date "$(date -u -d '+30 days' +%Y-%m-%d)" > /dev/null
"$OPENDOCKET_BIN" docket proof-of-work FTC-2026-0042 on > /dev/null
# Dockets of their own for the claiming test, one for each browser project.
for id in FTC-2026-0043 FTC-2026-0044; do
  "$OPENDOCKET_BIN" docket create --id "$id" --title "A docket for two moderators" \
    --agency "Federal Trade Commission" --time-zone America/New_York \
    --opens-at "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" --due-date "$(date -u -d '+30 days' +%Y-%m-%d)" > /dev/null
done
echo 'moderator passphrase for tests' | "$OPENDOCKET_BIN" user add --email moderator@ftc.gov --role moderator > /dev/null
echo 'second moderator passphrase for tests' | "$OPENDOCKET_BIN" user add --email moderator2@ftc.gov --role moderator > /dev/null
echo 'analyst passphrase for tests' | "$OPENDOCKET_BIN" user add --email analyst@ftc.gov --role analyst > /dev/null
echo 'admin passphrase for tests' | "$OPENDOCKET_BIN" user add --email admin@ftc.gov --role admin > /dev/null
exec "$OPENDOCKET_BIN" serve
