#!/bin/sh
# Runs a Python end-to-end test with Debian's interpreter, which is the one
# that sees python3-grpcio (a pyenv python3 earlier on PATH would not).
exec /usr/bin/python3 "$@"
