"""The verb catalogue's tables agree with its verbs."""

from __future__ import annotations

from handlers.blocks.help import ENDING_WORDS
from handlers.verbs import SYNONYMS, VERBS_BY_NAME, suggestions


def test_synonyms_are_no_verbs_and_name_only_verbs() -> None:
    # A synonym that became a verb would never be suggested; one naming no verb suggests a
    # command that fails; one that is a word of ending a partner is answered otherwise.
    for word, meant in SYNONYMS.items():
        assert word == word.lower()
        assert word not in VERBS_BY_NAME
        assert word not in ENDING_WORDS
        assert meant.alone
        for line in (*meant.alone, *meant.named):
            assert line.split()[0] in VERBS_BY_NAME, (word, line)


def test_a_name_after_a_word_is_put_where_the_command_takes_it() -> None:
    assert suggestions("score", "Acme") == ["health Acme"]
    assert suggestions("Dormant", "Room to Read") == ['cadence "Room to Read"']
    assert suggestions("who", "owns Acme") == ["owner of Acme", "show Acme"]
    assert suggestions("lgo", "Acme : it`s done") == ["log Acme : it’s done"]
    assert suggestions("frobnicate", "Acme") == []
    assert suggestions("dormant", "partners") == ["list dormant"]
    assert suggestions("overdue", "commitments") == ["commitments overdue"]


def test_a_word_after_my_picks_the_verb_it_names() -> None:
    assert suggestions("my", "commitments") == ["commitments mine"]
    assert suggestions("my", "partners") == ["list mine"]
    assert suggestions("mine", "please") == ["list mine", "commitments mine"]
