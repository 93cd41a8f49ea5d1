"""The shipped default instruments (Kirkpatrick levels 1 to 3) and which cycle kinds send which.

Definitions live in code, translatable; evaluation.services.instruments copies them into a programme in
the language of the person who makes the plan. Each Likert item belongs to a scale; reverse-scored items
are phrased so that agreeing is the worse answer, which keeps acquiescent answering honest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ItemSpec:
    text: Promise
    scale: str
    reverse: bool = False


@dataclass(frozen=True)
class InstrumentSpec:
    key: str
    name: Promise
    intro: Promise
    level: int
    kind: str
    subject: str
    ask_mentee: bool
    ask_mentor: bool
    ask_manager: bool
    items: tuple[ItemSpec, ...] = ()


REACTION = InstrumentSpec(
    key="reaction",
    name=_("How is mentoring going for you?"),
    intro=_("Five statements about your mentoring so far. Agree or disagree from 1 (not at all) to 5 (fully)."),
    level=1,
    kind="likert",
    subject="self",
    ask_mentee=True,
    ask_mentor=True,
    ask_manager=False,
    items=(
        ItemSpec(_("Our meetings are worth the time they take."), "satisfaction"),
        ItemSpec(_("I would recommend this programme to a colleague."), "satisfaction"),
        ItemSpec(_("Mentoring has felt like a poor use of my time."), "satisfaction", reverse=True),
        ItemSpec(_("What we discuss is relevant to my work."), "relevance"),
        ItemSpec(_("I can use what we discuss in my daily work."), "relevance"),
    ),
)

LEARNING = InstrumentSpec(
    key="learning",
    name=_("Competency re-rating"),
    intro=_(
        "Rate the mentee's current level in each of the programme's target competencies, from 1 (beginner) "
        "to 5 (expert). Mentees rate themselves; mentors and managers rate the mentee."
    ),
    level=2,
    kind="rerating",
    subject="mentee",
    ask_mentee=True,
    ask_mentor=True,
    ask_manager=True,
)

BEHAVIOUR = InstrumentSpec(
    key="behaviour",
    name=_("Behaviour at work, as the manager sees it"),
    intro=_("Four statements about what you have seen your team member do at work in the last months."),
    level=3,
    kind="likert",
    subject="mentee",
    ask_mentee=False,
    ask_mentor=False,
    ask_manager=True,
    items=(
        ItemSpec(_("They apply new skills from mentoring in their work."), "application"),
        ItemSpec(_("They take on harder tasks than before."), "application"),
        ItemSpec(_("I have seen no change in how they work."), "application", reverse=True),
        ItemSpec(_("They share what they learn with the team."), "sharing"),
    ),
)

DEFAULTS: tuple[InstrumentSpec, ...] = (REACTION, LEARNING, BEHAVIOUR)

# Which default instruments each kind of cycle sends. The baseline re-rating is the "before" of learning.
SENT_BY_KIND: dict[str, tuple[str, ...]] = {
    "baseline": ("learning",),
    "midpoint": ("reaction",),
    "end": ("reaction", "learning", "behaviour"),
    "follow_up_3": ("behaviour",),
    "follow_up_6": ("learning", "behaviour"),
    "follow_up_12": ("behaviour",),
    "pulse": ("reaction",),
}
