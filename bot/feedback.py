"""👍/👎 votes, appended to data/feedback.jsonl: question, answer id, vote, user id — no names."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

from retrieval.models import Answer


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, *, answer_id: str, question: str, vote: str, user_id: int) -> None:
        row = {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "answer_id": answer_id,
            "question": question,
            "vote": vote,
            "user_id": str(user_id),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


class RecentAnswers:
    """The last answers given, so that a Sources button or a vote can find its answer."""

    def __init__(self, keep: int = 2000) -> None:
        self._keep = keep
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def add(self, answer: Answer) -> None:
        self._answers[answer.answer_id] = answer
        while len(self._answers) > self._keep:
            self._answers.popitem(last=False)

    def get(self, answer_id: str) -> Answer | None:
        return self._answers.get(answer_id)
