"""`python -m bench` (what `make bench` runs, from the repository root)."""

from bench import bench

bench(prog_name="python -m bench")
