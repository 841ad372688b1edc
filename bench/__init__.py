"""The build benchmark: `python -m bench` (or `make bench`) measures the targets of
issue 7 in a temporary copy of the project and writes bench/RESULTS.md."""
