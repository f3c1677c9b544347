"""The benchmark: moviecore under load, measured against its framework's own floor.

``python bench/run.py`` starts the service in each configuration, seeds it,
drives it with wrk and writes the results to ``bench/results/``.
"""
