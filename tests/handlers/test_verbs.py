"""The verb catalogue's tables agree with its verbs."""

from __future__ import annotations

from handlers.blocks.help import ENDING_WORDS
from handlers.verbs import SYNONYMS, VERBS_BY_NAME


def test_synonyms_are_no_verbs_and_name_only_verbs() -> None:
    # A synonym that became a verb would never be suggested; one naming no verb suggests a
    # command that fails; one that is a word of ending a partner is answered otherwise.
    for word, verbs in SYNONYMS.items():
        assert word == word.lower()
        assert word not in VERBS_BY_NAME
        assert word not in ENDING_WORDS
        assert verbs and all(verb in VERBS_BY_NAME for verb in verbs)
