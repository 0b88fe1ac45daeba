#!/usr/bin/env bash
# PyNN's NEURON back-end on Debian (python3-pynn, python3-neuron, neuron-dev):
# its NMODL mechanisms must be compiled once before pyNN.neuron loads. Debian
# installs nrnmech_makefile under /usr/lib/nrn where nrnivmodl does not look,
# and linking the 'special' executable fails (a missing ivstream.h), but the
# shared library PyNN loads, ARCH/libnrnmech.so, is built first; it is put in
# pyNN/neuron/nmodl, where PyNN looks. Python then runs with
# LD_LIBRARY_PATH=/usr/lib/nrn. Idempotent; needs write access to the package (root).
set -euo pipefail
PYNN=$(/usr/bin/python3 -c 'import os, pyNN; print(os.path.dirname(pyNN.__file__))')
NMODL="$PYNN/neuron/nmodl"
ARCH=$(uname -m)
if [ -f "$NMODL/$ARCH/libnrnmech.so" ]; then
  echo "PyNN's NEURON mechanisms are compiled ($NMODL/$ARCH/libnrnmech.so)"
  exit 0
fi
[ -e /usr/bin/nrnmech_makefile ] || ln -s /usr/lib/nrn/nrnmech_makefile /usr/bin/nrnmech_makefile
work=$(mktemp -d)
cp -r "$NMODL/." "$work/"
(cd "$work" && LIBRARY_PATH=/usr/lib/nrn nrnivmodl > "$work/nrnivmodl.log" 2>&1 || true)
if [ ! -f "$work/$ARCH/libnrnmech.so" ]; then
  echo "nrnivmodl did not build $ARCH/libnrnmech.so; its log:" >&2
  tail -20 "$work/nrnivmodl.log" >&2
  exit 1
fi
cp -r "$work/$ARCH" "$NMODL/"
echo "compiled PyNN's NEURON mechanisms into $NMODL/$ARCH"
