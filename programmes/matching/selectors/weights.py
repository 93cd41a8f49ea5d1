"""The sample pair the matching-settings page previews: how its score would change as the weights move.

The latest run's best pair when there is one (its criteria recovered from the weighted breakdown and the
weights of that run), else an illustrative pair. The page's script multiplies each criterion by the slider's
weight, as the matcher's weighted sum does (programmes.matching.engine.criteria.weighted_sum).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from programmes.models import MatchProposal, Programme

# An illustrative pair: shares a language and time zone, strong on the competencies, a partial fit elsewhere.
EXAMPLE = {
    "language": 1.0,
    "competency": 0.8,
    "goals": 0.5,
    "availability": 0.6,
    "preference": 0.0,
    "timezone": 1.0,
    "diversity": 0.5,
    "attributes": 0.0,
}


@dataclass
class SamplePair:
    """Criterion values (0 to 1) of one pair, and whose pair it is (empty names for the example)."""

    criteria: dict[str, float] = field(default_factory=dict)
    mentee: str = ""
    mentor: str = ""

    def as_json(self) -> dict[str, object]:
        return {"criteria": self.criteria, "mentee": self.mentee, "mentor": self.mentor}

    def preview(self, weights: dict[str, float]) -> tuple[list[tuple[str, float, float]], float]:
        """(criterion, fit, weight × fit) per criterion and the score, as the page shows them without script."""
        rows = [(name, fit, round(fit * weights.get(name, 0.0), 3)) for name, fit in self.criteria.items()]
        return rows, round(sum(adds for _name, _fit, adds in rows), 3)


def weight_preview_sample(*, programme: Programme) -> SamplePair:
    """The latest run's best pair with its criteria between 0 and 1, or the example pair (one query)."""
    best = (
        MatchProposal.objects.filter(run__programme=programme)
        .select_related("run", "mentee__person", "mentor__person")
        .order_by("-run__created_at", "-run__pk", "-score", "pk")
        .first()
    )
    if best is None:
        return SamplePair(dict(EXAMPLE))
    used = dict((best.run.settings_snapshot or {}).get("weights") or {})
    criteria = {}
    for name in EXAMPLE:
        weight = float(used.get(name) or 0)
        contribution = float((best.breakdown or {}).get(name) or 0)
        criteria[name] = round(min(max(contribution / weight, 0.0), 1.0), 3) if weight else 0.0
    return SamplePair(criteria, best.mentee.person.get_full_name(), best.mentor.person.get_full_name())
