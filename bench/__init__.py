"""Side-by-side benchmarks of chainrule and PyTorch: ``python -m bench`` from the repo root.

``workloads.py`` holds the workloads (each written once against the PyTorch API), ``child.py``
times one workload in one library in a fresh process, ``runner.py`` alternates the libraries over
fresh subprocesses and prints the markdown report. See ``bench/README.md``.
"""
