#!/bin/sh
# Installs the Debian packages named as arguments that are not installed yet.
# As root it runs apt-get; otherwise it prints the one command that would.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "missing packages; run: sudo apt-get install -y$missing" >&2
    exit 1
fi
