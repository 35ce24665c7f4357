# No hook points here.
