"""Z3 checks run by ``medshare verify`` (DESIGN §8)."""
