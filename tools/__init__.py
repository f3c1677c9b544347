"""Tools for the tests, the benchmark and demos, run from a clone: part of neither distribution.

``python -m tools.fake_upstream --help``: a fake of the upstream movie catalog.
"""
