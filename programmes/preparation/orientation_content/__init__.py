"""The default orientation set every new programme starts with, and the text format of a module.

Each default module is a Markdown file per language (`en/<key>.md`, `id/<key>.md`): the first line is
the title (`# …`), then the body, then optionally a quiz after a `<!-- quiz -->` line:

    ? Which question is this?
    - a wrong choice
    + the right choice
    - another wrong choice

Coordinators edit quizzes in the same format, so one parser serves both. DEFAULT_MODULES says which
audiences read each topic, whether it is required for them, and how it is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

HERE = Path(__file__).resolve().parent
QUIZ_MARKER = "<!-- quiz -->"
ACK, QUIZ = "acknowledge", "quiz"
MENTOR, MENTEE, MANAGER, COORDINATOR = "mentor", "mentee", "manager", "coordinator"


class QuizSyntaxError(ValueError):
    """The quiz text does not follow the format; the message says which line and why."""


@dataclass(frozen=True)
class Question:
    prompt: str
    choices: tuple[str, ...]
    answer: int


@dataclass(frozen=True)
class ModuleText:
    title: str
    body: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Audience:
    """One audience of a default topic: required or optional for them, and acknowledged or quizzed."""

    audience: str
    required: bool
    check: str = ACK


@dataclass(frozen=True)
class DefaultModule:
    key: str
    minutes: int
    audiences: tuple[Audience, ...]


DEFAULT_MODULES: tuple[DefaultModule, ...] = (
    DefaultModule(
        "process",
        8,
        (
            Audience(MENTOR, True, QUIZ),
            Audience(MENTEE, True, QUIZ),
            Audience(MANAGER, True),
            Audience(COORDINATOR, True),
        ),
    ),
    DefaultModule("roles", 10, (Audience(MENTOR, True, QUIZ), Audience(MENTEE, True), Audience(COORDINATOR, False))),
    DefaultModule(
        "success-factors",
        6,
        (Audience(MENTOR, True), Audience(MENTEE, True), Audience(MANAGER, False), Audience(COORDINATOR, True)),
    ),
    DefaultModule("goals", 8, (Audience(MENTOR, True), Audience(MENTEE, True, QUIZ), Audience(MANAGER, True))),
    DefaultModule(
        "confidentiality",
        4,
        (Audience(MENTOR, True), Audience(MENTEE, True), Audience(MANAGER, True), Audience(COORDINATOR, True)),
    ),
    DefaultModule("no-fault", 4, (Audience(MENTOR, True), Audience(MENTEE, True), Audience(COORDINATOR, False))),
    DefaultModule("manager", 6, (Audience(MANAGER, True),)),
    DefaultModule("coordinator", 8, (Audience(COORDINATOR, True),)),
    DefaultModule(
        "help",
        3,
        (Audience(MENTOR, False), Audience(MENTEE, False), Audience(MANAGER, False), Audience(COORDINATOR, False)),
    ),
)


def parse_quiz(source: str) -> tuple[Question, ...]:
    """Questions from the quiz format; raises QuizSyntaxError naming the line that is wrong."""
    questions: list[Question] = []
    prompt: str | None = None
    choices: list[str] = []
    answer: int | None = None
    start = 0

    def finish(line_no: int) -> None:
        if prompt is None:
            return
        if len(choices) < 2:
            raise QuizSyntaxError(_("Line %(line)d: a question needs at least two choices.") % {"line": line_no})
        if len(choices) > 6:
            raise QuizSyntaxError(_("Line %(line)d: a question has at most six choices.") % {"line": line_no})
        if answer is None:
            raise QuizSyntaxError(
                _("Line %(line)d: mark the right choice with “+” instead of “-”.") % {"line": line_no}
            )
        questions.append(Question(prompt, tuple(choices), answer))

    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        marker, text = line[0], line[1:].strip()
        if marker == "?" and text:
            finish(start)
            prompt, choices, answer, start = text, [], None, number
        elif marker in "+-" and text and prompt is not None:
            if marker == "+":
                if answer is not None:
                    raise QuizSyntaxError(_("Line %(line)d: only one choice may be right.") % {"line": number})
                answer = len(choices)
            choices.append(text)
        else:
            raise QuizSyntaxError(
                _("Line %(line)d: start a question with “?” and each choice with “-” (or “+” for the right one).")
                % {"line": number}
            )
    finish(start)
    return tuple(questions)


def quiz_to_text(questions: tuple[Question, ...] | list[Question]) -> str:
    """The quiz format of `questions` (what a coordinator edits)."""
    blocks = []
    for question in questions:
        lines = [f"? {question.prompt}"]
        lines += [f"{'+' if i == question.answer else '-'} {choice}" for i, choice in enumerate(question.choices)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def parse_module(source: str) -> ModuleText:
    """Title, body and quiz of one module file."""
    text, _sep, quiz = source.partition(QUIZ_MARKER)
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError("A module file starts with a '# Title' line.")
    return ModuleText(title=lines[0][2:].strip(), body="\n".join(lines[1:]).strip(), questions=parse_quiz(quiz))


def load_default(key: str, language: str) -> ModuleText | None:
    """The default module `key` in `language`, or None when that language has no file."""
    path = HERE / language / f"{key}.md"
    if not path.exists():
        return None
    return parse_module(path.read_text(encoding="utf-8"))
