"""The wallet card's geometry: its size, and where the ten cards and the crop marks go on
the print sheet, US Letter or A4 (the handbook's paper). The card's renderer
(pipeline/card.py) and its verifier (pipeline/verify.py) both read it."""

from __future__ import annotations

from dataclasses import dataclass

CARD_W, CARD_H = 252.0, 144.0  # pt: 3.5 x 2 in
SHEETS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}  # pt, portrait
COLUMNS, ROWS = 2, 5
MARK_LENGTH, MARK_GAP, HAIRLINE = 18.0, 4.5, 0.5  # pt: crop marks stay clear of the cut


@dataclass(frozen=True)
class Box:
    """A rectangle on the sheet, in pt from the top left corner."""

    x: float
    y: float
    w: float
    h: float


def _origin(paper: str) -> tuple[float, float]:
    """The sheet's top left cut: the grid of cards is centred, so the back mirrors exactly."""
    width, height = SHEETS[paper]
    return (width - COLUMNS * CARD_W) / 2, (height - ROWS * CARD_H) / 2


def slots(back: bool, paper: str = "letter") -> tuple[Box, ...]:
    """The 10 card positions, in reading order of the front. On the back the
    columns are mirrored, so each back lands behind its front when the sheet
    is printed duplex and flipped on its long edge."""
    left, top = _origin(paper)
    return tuple(
        Box(left + ((COLUMNS - 1 - c) if back else c) * CARD_W, top + r * CARD_H, CARD_W, CARD_H)
        for r in range(ROWS)
        for c in range(COLUMNS)
    )


def faces(paper: str) -> tuple[tuple[Box, ...], tuple[Box, ...]]:
    """The card positions of the sheet's front and of its back."""
    return slots(back=False, paper=paper), slots(back=True, paper=paper)


def crop_marks(paper: str = "letter") -> tuple[Box, ...]:
    """Hairlines in the margins on every cut line (the cards butt, so each inner
    cut is shared), clear of the cards by MARK_GAP."""
    left, top = _origin(paper)
    right, bottom = left + COLUMNS * CARD_W, top + ROWS * CARD_H
    marks = []
    for c in range(COLUMNS + 1):
        x = left + c * CARD_W - HAIRLINE / 2
        marks += [
            Box(x, top - MARK_GAP - MARK_LENGTH, HAIRLINE, MARK_LENGTH),
            Box(x, bottom + MARK_GAP, HAIRLINE, MARK_LENGTH),
        ]
    for r in range(ROWS + 1):
        y = top + r * CARD_H - HAIRLINE / 2
        marks += [
            Box(left - MARK_GAP - MARK_LENGTH, y, MARK_LENGTH, HAIRLINE),
            Box(right + MARK_GAP, y, MARK_LENGTH, HAIRLINE),
        ]
    return tuple(marks)
