"""song2000 in Brian2, as hebb's preset states it, for a like-for-like check
of the equilibrium output rate (not run by npm test: Brian2 is not a
dependency). The neuron is integrated with RK4 (conductances included), so
each input's charge follows the conductance's time course within the step.

    python3 bench/reference/song2000_brian2.py INPUT_RATE_HZ SEED DURATION_S

prints the output rate over the last fifth of the run and the fractions of
weights within 10 % of each bound (as `hebb experiment song2000` reports).
"""
import sys
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, run, seed, prefs,
                    defaultclock, ms, mV, pF, nS, Hz, second, clip)
import numpy as np

rate_in, seed_, duration = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
prefs.codegen.target = 'cython'
seed(seed_)
defaultclock.dt = 0.1 * ms

C, gL, EL, Ee, Ei = 200 * pF, 10 * nS, -70 * mV, 0 * mV, -70 * mV
vr, vt, taus = -60 * mV, -54 * mV, 5 * ms
wmax, taupre, taupost = 0.2 * nS, 20 * ms, 20 * ms
Ap, Am = 0.005 * wmax, -0.00525 * wmax

neuron = NeuronGroup(1, '''dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v)) / C : volt
dge/dt = -ge / taus : siemens
dgi/dt = -gi / taus : siemens''', threshold='v > vt', reset='v = vr', method='rk4')
neuron.v = EL
inputs = PoissonGroup(1000, rates=rate_in * Hz)
inhibition = PoissonGroup(200, rates=10 * Hz)
plastic = Synapses(inputs, neuron, '''w : siemens
dapre/dt = -apre / taupre : siemens (event-driven)
dapost/dt = -apost / taupost : siemens (event-driven)''',
                   on_pre='''ge += w
apre += Ap
w = clip(w + apost, 0 * nS, wmax)''',
                   on_post='''apost += Am
w = clip(w + apre, 0 * nS, wmax)''', delay=0.1 * ms)
plastic.connect()
plastic.w = 'rand() * wmax'
inh = Synapses(inhibition, neuron, on_pre='gi += 0.5 * nS', delay=0.1 * ms)
inh.connect()
spikes = SpikeMonitor(neuron)
run(duration * second)

t = np.asarray(spikes.t / second)
rate = np.sum(t >= 0.8 * duration) / (0.2 * duration)
w = np.asarray(plastic.w / wmax)
print(f'input {rate_in:g} Hz seed {seed_}: output {rate:.2f} Hz over the last fifth; '
      f'weights low {np.mean(w <= 0.1):.3f} high {np.mean(w >= 0.9):.3f}')
