"""``vision evaluate`` as a function: the competition metric of a submission file.

Before scoring, the files are checked against each other, because a wrong file otherwise
scores a plausible-looking 0.0000: no solution id in the submission (or ids that differ only
by an extension or case), and predicted labels that are not label codes (label names instead
of codes, told apart with ``class-descriptions.csv`` when one is at hand).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from corpora.errors import InputError
from corpora.formats.class_descriptions import is_label_code, read_label_names
from corpora.formats.label_sets import read_solution, read_submission
from vision.metrics import mean_f2, mean_precision_recall, per_label_stats

__all__ = ["evaluate_submission", "find_class_descriptions"]

logger = logging.getLogger(__name__)

#: share of the solution's ids that must occur in the submission before a warning
_MIN_ID_OVERLAP = 0.5


def find_class_descriptions(solution: str | os.PathLike[str]) -> Path | None:
    """``class-descriptions.csv`` in the solution's folder or the folder above it (an Open
    Images layout data folder: ``DATA/test_solutions.csv``), or None."""
    here = Path(solution).resolve().parent
    for folder in (here, here.parent):
        candidate = folder / "class-descriptions.csv"
        if candidate.is_file():
            return candidate
    return None


def _examples(items: Sequence[str], k: int = 3) -> str:
    return ", ".join(repr(x) for x in list(items)[:k])


def _check_ids(
    sol: Mapping[str, Any], sub: Mapping[str, Any], solution: Any, submission: Any
) -> None:
    """No solution id in the submission is an error (with a hint when the ids differ only by
    an extension, a folder or case); fewer than half is a warning."""
    if not sol or not sub:
        return
    found = sum(1 for k in sol if k in sub)
    if found:
        if found < _MIN_ID_OVERLAP * len(sol):
            logger.warning(
                "only %d of %d solution ids occur in %s; the others score 0",
                found,
                len(sol),
                submission,
            )
        return

    def bare(image_id: str) -> str:
        return Path(image_id).stem.lower()

    hint = ""
    if any(bare(k) in {bare(s) for s in sub} for k in list(sol)[:1000]):
        hint = (
            " They match once extensions, folders and case are ignored: write the ids exactly "
            "as the solution has them."
        )
    raise InputError(
        f"none of the {len(sol)} image ids of {solution} occurs in {submission} (solution: "
        f"{_examples(list(sol))}; submission: {_examples(list(sub))}).{hint} Check that the "
        "submission was predicted for the same images (e.g. --sample-submission of vision "
        "predict)"
    )


def _code_shaped(labels: set[str]) -> bool:
    """Whether most ``labels`` are written like label codes (``/m/0abc``, ``/e/12f``)."""
    return sum(1 for label in labels if is_label_code(label)) > len(labels) / 2


def _check_labels(
    sol: Mapping[str, Sequence[str]],
    sub: Mapping[str, Sequence[str]],
    vocabulary: tuple[list[str], list[str]] | None,
    submission: Any,
    descriptions: Path | None,
) -> int:
    """Error when the predicted labels are label names, or none is a known code; returns
    the number of distinct predicted labels that are not known codes."""
    predicted = sorted({label for labels in sub.values() for label in labels})
    if not predicted:
        return 0
    known = {label for labels in sol.values() for label in labels}
    if vocabulary is not None:
        known |= set(vocabulary[0])
    unknown = [label for label in predicted if label not in known]
    if not unknown:
        return 0
    name_words: set[str] = set()
    if vocabulary is not None:
        for name in vocabulary[1]:
            name_words.add(name.lower())
            name_words.update(name.lower().split())
    as_names = [label for label in unknown if label.lower() in name_words]
    if len(as_names) > len(predicted) / 2:
        raise InputError(
            f"{submission} holds label names instead of label codes ({len(as_names)} of its "
            f"{len(predicted)} distinct labels are words of names in {descriptions}, e.g. "
            f"{_examples(as_names)}); write the codes ({_examples(sorted(known))}, column 1 of "
            "class-descriptions.csv) space-separated"
        )
    if len(unknown) == len(predicted):
        where = f" or of {descriptions}" if descriptions else ""
        what = (
            f"none of the {len(predicted)} distinct labels of {submission} is a label code of "
            f"the solution{where} (submission: {_examples(unknown)}; solution: "
            f"{_examples(sorted(known))})"
        )
        code_shaped = [label for label in unknown if is_label_code(label)]
        if descriptions or (len(code_shaped) <= len(unknown) / 2 and _code_shaped(known)):
            hint = (
                "; a submission holds label codes, not names: map names to codes with "
                "class-descriptions.csv (--class-descriptions FILE tells names apart)"
                if not code_shaped
                else "; was it predicted with a run trained on another label vocabulary?"
            )
            raise InputError(what + hint)
        logger.warning("%s: the submission scores 0", what)
        return len(unknown)
    if len(unknown) > len(predicted) / 2:
        logger.warning(
            "%d of the %d distinct labels of %s are not label codes of the solution%s (e.g. %s)",
            len(unknown),
            len(predicted),
            submission,
            f" or {descriptions}" if descriptions else "",
            _examples(unknown),
        )
    return len(unknown)


def evaluate_submission(
    solution: str | os.PathLike[str],
    submission: str | os.PathLike[str],
    per_label: bool = False,
    class_descriptions: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Mean per-image F2, precision and recall of ``submission`` against ``solution``.

    Args:
        class_descriptions: ``code,name`` file for label names (per-label rows) and for
            telling names from codes; default: ``class-descriptions.csv`` found beside the
            solution (:func:`find_class_descriptions`), else none.
    Returns:
        a JSON-ready dict: ``mean_f2``, ``precision``, ``recall``, ``images`` (solution rows),
        ``missing`` (solution ids absent from the submission, scored 0), ``extra`` (ignored
        submission ids), ``unknown_labels`` (distinct predicted labels that are not codes of
        the solution or the class descriptions), ``class_descriptions`` (the file used, or
        None) and, with ``per_label``, a ``per_label`` list (each row with ``name``).
    Raises:
        InputError: no solution id in the submission; predicted labels that are names, or
            none of them a known code.
    """
    sol = read_solution(solution)
    sub = read_submission(submission)
    descriptions = (
        Path(class_descriptions) if class_descriptions else find_class_descriptions(solution)
    )
    vocabulary = read_label_names(descriptions) if descriptions else None
    _check_ids(sol, sub, solution, submission)
    unknown = _check_labels(sol, sub, vocabulary, submission, descriptions)
    precision, recall = mean_precision_recall(sol, sub)
    result: dict[str, Any] = {
        "solution": str(solution),
        "submission": str(submission),
        "images": len(sol),
        "missing": sum(1 for k in sol if k not in sub),
        "extra": sum(1 for k in sub if k not in sol),
        "mean_f2": mean_f2(sol, sub),
        "precision": precision,
        "recall": recall,
        "unknown_labels": unknown,
        "class_descriptions": str(descriptions) if descriptions else None,
    }
    if per_label:
        names = dict(zip(*vocabulary)) if vocabulary else {}
        result["per_label"] = [
            {"label": s.label, "name": names.get(s.label, ""), **s.to_dict()}
            for s in per_label_stats(sol, sub)
        ]
    return result
