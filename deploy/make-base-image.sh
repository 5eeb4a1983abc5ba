#!/usr/bin/env bash
# Build the Dockerfile's base image from Debian packages, for machines that cannot pull from a registry.
#
# The result has the same layout as the official python:3.11-slim that the Dockerfile names: Python 3.11 with pip
# at /usr/local/bin (here a venv made at /usr/local), ca-certificates, and nothing else. It trusts the same
# certificates as this machine, so pip inside a build reaches PyPI through whatever this machine goes through.
#
# Usage (as root, with debootstrap and a running Docker engine):
#   deploy/make-base-image.sh [IMAGE]     IMAGE defaults to the Dockerfile's FROM (python:3.11-slim)
# Environment: DEBIAN_MIRROR (default: the mirror apt uses here), SUITE (default: bookworm, whose python3 is 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

image="${1:-$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile | head -n1)}"
image="${image:-python:3.11-slim}"
suite="${SUITE:-bookworm}"

# The Debian mirror apt uses on this machine (deb822 sources first, then the one-line format), else Debian's CDN.
detect_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -E '/debian/?$' | head -n1 || true)
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk '$1 == "deb" && $2 !~ /^\[/ {print $2} $1 == "deb" && $2 ~ /^\[/ {print $3}' \
            | grep -E '/debian/?$' | head -n1 || true)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}
mirror="${DEBIAN_MIRROR:-$(detect_mirror)}"

for tool in debootstrap docker chroot; do
    command -v "$tool" >/dev/null || { echo "make-base-image: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "make-base-image: debootstrap needs root" >&2; exit 1; }

root=$(mktemp -d /tmp/briefbot-base.XXXXXX)
trap 'rm -rf "$root"' EXIT

echo "make-base-image: debootstrap $suite from $mirror into $root" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$suite" "$root" "$mirror" >&2

# pip and Python at /usr/local/bin, as in the official image (the venv's python links to /usr/bin/python3.11).
chroot "$root" /usr/bin/python3 -m venv /usr/local
# The same certificates as this machine (a proxy's CA included), and pip told to use them rather than its own.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\ndisable-pip-version-check = true\n' >"$root/etc/pip.conf"

# Smaller: no apt lists, caches, docs or man pages; nothing a container needs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
# Device nodes and mounts belong to the engine, not the image.
rm -rf "${root:?}"/dev/* "${root:?}"/proc/* "${root:?}"/sys/*

tar -C "$root" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$image" >/dev/null
echo "make-base-image: imported $image ($(docker image inspect -f '{{.Size}}' "$image") bytes)" >&2
