"""The monthly comprehension questions, for the programmes whose rules ask for them.

The iPLEDGE programme asks patients who can get pregnant to answer comprehension questions
each month, before each prescription (regulatory.md §1.4, "Monthly patient steps" [C13]
[R37]); the EU and UK programmes have no such step. The official iPLEDGE questions are not
public. These are **isocourse's own questions**, each written strictly from a fact in the
project's references (the ``source`` of each names the section and its references). They
help a patient check what they know; they do not replace the questions in the iPLEDGE
system itself, and the pages and docs/guides/patient.md say so.

A set is passed when every answer is right. The answers given are kept with the recorded
``comprehension`` event (under ``extensions``), so the result page can show which were wrong
and the right answer, and the prescriber can see which set was used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from isocourse.rules.model import RulePack

__all__ = [
    "EXTENSION",
    "QUESTIONS",
    "QUESTION_SET",
    "Marked",
    "Question",
    "comprehension_event",
    "mark",
    "programme_has_comprehension",
    "stored_answers",
]

#: Names this set of questions in the recorded event (change it when the questions change).
QUESTION_SET = "isocourse-comprehension/1"
#: The key under the event's ``extensions``.
EXTENSION = "isocourse_comprehension"

_TRUE_FALSE = (("true", "True"), ("false", "False"))


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    options: tuple[tuple[str, str], ...]
    answer: str
    explanation: str
    source: str

    @property
    def answer_text(self) -> str:
        return dict(self.options)[self.answer]

    def option_text(self, value: str | None) -> str | None:
        return dict(self.options).get(value) if value is not None else None


QUESTIONS: tuple[Question, ...] = (
    Question(
        "birth-defects",
        "Isotretinoin can harm an unborn baby and cause birth defects if it is taken "
        "during pregnancy.",
        _TRUE_FALSE, "true",
        "True. Isotretinoin must not be taken during pregnancy: the programme exists to "
        "prevent a baby being exposed to it.",
        "regulatory.md §1.1 (iPLEDGE's goal: prevent fetal exposure [R1][R16][R33]), §1.4 "
        "(Informed Consent About Birth Defects [R7]), §2.1 (oral retinoids are "
        "contraindicated in pregnancy [E1])"),
    Question(
        "two-methods",
        "If you can get pregnant, how many forms of birth control must you use?",
        (("one", "One is enough"),
         ("two", "Two forms, used together (unless you commit to not having sex at all)"),
         ("none", "None, as long as I have a pregnancy test each month")),
        "two",
        "Two forms used together, at least one of them a primary method such as an IUD, "
        "an implant or the combined pill. The only alternative is a commitment not to have "
        "sex at all (abstinence).",
        "regulatory.md §1.4, Contraception [R35][R7][R34][R9]"),
    Question(
        "contraception-when",
        "When must you use your two forms of birth control?",
        (("capsule-days", "Only on the days I take capsules"),
         ("month-around", "From 1 month before my first dose, all through treatment, and "
                          "for 1 month after my last dose"),
         ("first-month", "Only during the first month of treatment")),
        "month-around",
        "From at least 1 month before the first dose, during treatment, and for 1 month "
        "after stopping.",
        "regulatory.md §1.4, Contraception [R35][R7][R34][R9]"),
    Question(
        "monthly-test",
        "You need a pregnancy test every month, before each new prescription.",
        _TRUE_FALSE, "true",
        "True. A pregnancy test is repeated each month before each prescription (and at the "
        "end of the course, and 1 month after it).",
        "regulatory.md §1.4, Tests during and after treatment [R5][R34]; §1.9, monthly "
        "tests not changed in 2026"),
    Question(
        "pick-up-window",
        "After your monthly pregnancy test, how long do you have to pick up your capsules?",
        (("7-days", "7 days, counting the day of the test as day 1"),
         ("30-days", "30 days"),
         ("no-limit", "There is no time limit")),
        "7-days",
        "7 days: day 1 is the day of the test and the last day is day 7. After that a new "
        "test is needed.",
        "regulatory.md §1.4, Prescription window and lockout [R9][R8]; §1.9 (the 7-day "
        "window stays [R24][R27])"),
    Question(
        "no-sharing",
        "You may give some of your capsules to a friend who has acne.",
        _TRUE_FALSE, "false",
        "False. Never share your capsules with anyone.",
        "regulatory.md §1.6, No sharing [R7]; §2.6 [E6]"),
    Question(
        "blood-donation",
        "Can you donate blood during your treatment?",
        (("any-time", "Yes, at any time"),
         ("not-until-month-after", "No: not during treatment, and not for 1 month after my "
                                   "last dose"),
         ("if-told", "Yes, if I tell the blood service that I take isotretinoin")),
        "not-until-month-after",
        "No. Do not donate blood during treatment or for 1 month after it.",
        "regulatory.md §1.6, Blood donation [R7][R9]; §2.6 [E6]"),
    Question(
        "stop-and-call",
        "You had sex without using your two forms of birth control, or your period is "
        "late. What should you do?",
        (("wait", "Carry on and mention it at my next visit"),
         ("stop-and-call", "Stop taking isotretinoin and call my doctor straight away"),
         ("double", "Take a double dose the next day")),
        "stop-and-call",
        "Stop taking isotretinoin and call your doctor straight away.",
        "regulatory.md §1.7 [R34]"),
)


@dataclass(frozen=True, slots=True)
class Marked:
    question: Question
    given: str | None

    @property
    def correct(self) -> bool:
        return self.given == self.question.answer

    @property
    def given_text(self) -> str | None:
        return self.question.option_text(self.given)


def mark(answers: Mapping[str, str | None]) -> tuple[Marked, ...]:
    """Each question with the answer given (None: not answered, or not one of its options)."""
    marked = []
    for question in QUESTIONS:
        given = answers.get(question.id)
        valid = given if given in dict(question.options) else None
        marked.append(Marked(question, valid))
    return tuple(marked)


def comprehension_event(day: dt.date, marked: Sequence[Marked]) -> dict[str, Any]:
    """The ``comprehension`` event: ``passed`` when every answer is right; the set and the
    answers under ``extensions``, and a note that these are isocourse's questions."""
    right = sum(1 for m in marked if m.correct)
    return {
        "type": "comprehension", "date": day.isoformat(),
        "passed": right == len(marked),
        "note": (f"isocourse's own comprehension questions ({QUESTION_SET}), answered by the "
                 f"patient: {right} of {len(marked)} right. Not the iPLEDGE system's "
                 "questions."),
        "extensions": {EXTENSION: {
            "set": QUESTION_SET,
            "answers": {m.question.id: m.given for m in marked},
            "wrong": [m.question.id for m in marked if not m.correct],
        }},
    }


def stored_answers(extensions: Mapping[str, Any] | None) -> dict[str, str | None] | None:
    """The answers kept with a recorded event of this set, or None (another set, or none)."""
    ext = (extensions or {}).get(EXTENSION)
    if not isinstance(ext, Mapping) or ext.get("set") != QUESTION_SET:
        return None
    answers = ext.get("answers")
    if not isinstance(answers, Mapping):
        return None
    return {str(k): v if isinstance(v, str) else None for k, v in answers.items()}


def programme_has_comprehension(packs: Sequence[RulePack], can_get_pregnant: bool) -> bool:
    """Whether a rule of the packs in force asks this patient for comprehension answers."""
    for pack in packs:
        for spec in pack.rules:
            param = spec.params.get("event")
            if param is not None and param.value == "comprehension" \
                    and spec.applies_to.applies(can_get_pregnant):
                return True
    return False
