"""Pure matching package: the exact capacity-constrained assignment (scores, explanations and groups follow).

Arrays in, arrays out; nothing here imports Django or the ORM.
"""

from .assignment import assign
from .greedy import greedy_assign

__all__ = ["assign", "greedy_assign"]
