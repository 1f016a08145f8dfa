"""Z3 checks run by ``medshare verify`` (docs/design.md §8)."""
