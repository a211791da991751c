"""A synthetic agency of thirty years, for measuring speed at a realistic size.

Every row is plainly marked: codes start with `SYN-` (organizations `syn-`), names with
"Synthetic". The same scale and seed always give the same rows.
"""

from .runner import SyntheticDataExists, generate, synthetic_counts

__all__ = ["SyntheticDataExists", "generate", "synthetic_counts"]
