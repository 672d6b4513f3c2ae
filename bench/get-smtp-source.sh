#!/usr/bin/env bash
# Fetch postfix's smtp-source load generator into ./tools/ without installing postfix.
#
# Downloads the Debian package with `apt-get download` (no daemon, no postinst) and
# unpacks it with `dpkg-deb -x` into tools/postfix. Idempotent: does nothing if the
# binary is already there. Prints how to run it.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=tools/postfix
BIN=$DEST/usr/sbin/smtp-source
LIBS=$DEST/usr/lib/postfix

if [[ ! -x $BIN ]]; then
  mkdir -p tools
  (
    cd tools
    if ! ls postfix_*.deb >/dev/null 2>&1; then
      if ! apt-get download postfix 2>/dev/null; then
        apt-get update -qq
        apt-get download postfix
      fi
    fi
  )
  rm -rf "$DEST"
  dpkg-deb -x "$(ls tools/postfix_*.deb | head -1)" "$DEST"
fi

if ! LD_LIBRARY_PATH=$LIBS ldd "$BIN" | grep -q 'not found'; then
  echo "smtp-source ready. Run it as:"
else
  echo "smtp-source unpacked but some shared libraries are missing:" >&2
  LD_LIBRARY_PATH=$LIBS ldd "$BIN" | grep 'not found' >&2
  echo "(install them with apt-get, e.g. the runtime libraries listed above), then run:" >&2
fi
echo "  LD_LIBRARY_PATH=$LIBS $BIN -c -s 16 -m 5000 -l 2048 -f bench@example.test \\"
echo "      -t INBOX@waypost.localhost 127.0.0.1:2525"
